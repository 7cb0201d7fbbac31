"""Shared fixtures: tiny generated PDFs, a hash-embedder index, and the real deck (session-scoped)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL_DECK = SHARED / "slides" / "aml-slides.pdf"
WEEKS = SHARED / "slides" / "weeks"


def make_pdf(path: Path, pages: Sequence[tuple[str, Sequence[str]] | None]) -> Path:
    """A PDF with one page per entry: (title, bullet lines), or None for a page with no text."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format=(148, 210))
    pdf.set_auto_page_break(False)
    for page in pages:
        pdf.add_page()
        if page is None:
            pdf.set_fill_color(40, 90, 160)
            pdf.rect(20, 20, 120, 60, style="F")
            continue
        title, lines = page
        pdf.set_font("helvetica", "B", 18)
        pdf.text(12, 18, title)
        pdf.set_font("helvetica", size=11)
        for i, line in enumerate(lines):
            pdf.text(14, 32 + 8 * i, line)
    pdf.output(str(path))
    return path


DECK_A = [
    ("Stochastic Gradient Descent", ["Update the weights with a noisy gradient", "Learning rate decides the step"]),
    ("SGD with Momentum", ["Momentum averages previous steps", "Reduces noise in the update direction"]),
    ("Self-attention layers", ["Each token maps to key, query and value", "Attention is a softmax over dot products"]),
]
DECK_B = [
    ("Classifier-Free Guidance", ["Denoise with conditional and unconditional models", "omega trades diversity for fidelity"]),
    None,
    ("K Means Clustering", ["Assign each point to its nearest centroid", "Recompute centroids until stable"]),
]

BANK = """\
## **Test bank**

### optimisation

- formulate SGD with momentum (2) \\*
- what does the learning rate decide? (1) -
- explain self attention in detail (3)
  - what is the query?

### diffusion

- formulate the denoiser in the Classifier-Free Guidance scenario
- explain kmeans (6) \\*
"""


@pytest.fixture()
def tiny_decks(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "decks"
    folder.mkdir()
    return [make_pdf(folder / "week01.pdf", DECK_A), make_pdf(folder / "week02.pdf", DECK_B)]


@pytest.fixture()
def bank_file(tmp_path: Path) -> Path:
    path = tmp_path / "bank.md"
    path.write_text(BANK, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Bank-vector caches go to the test's own folder, never into data/.
    monkeypatch.setenv("SLIDEBANK_CACHE", str(tmp_path / "cache"))
    # ... and so does study state: an app built in a test never writes data/study.sqlite.
    monkeypatch.setenv("SLIDEBANK_STUDY_DB", str(tmp_path / "study.sqlite"))


@pytest.fixture()
def hash_index(tmp_path: Path, tiny_decks: list[Path]) -> Path:
    from ingest.build import ingest

    index_dir = tmp_path / "index"
    ingest(tiny_decks, index_dir, model="hash:64", progress=False)
    return index_dir


def require_real_deck() -> None:
    """Tests on the real deck fail under CI when it is missing, and skip on a user's machine."""
    if REAL_DECK.is_file() and WEEKS.is_dir():
        return
    message = f"the real lecture deck is not at {REAL_DECK}"
    if os.environ.get("CI"):
        pytest.fail(message + " (required under CI)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 389-page deck ingested once per test run with the default model."""
    require_real_deck()
    from ingest.build import ingest

    index_dir = tmp_path_factory.mktemp("real") / "index"
    ingest([REAL_DECK], index_dir, progress=False)
    return index_dir


@pytest.fixture(scope="session")
def real_retriever(real_index: Path, tmp_path_factory: pytest.TempPathFactory):
    from assistant.retrieval.retriever import open_retriever

    os.environ.setdefault("SLIDEBANK_CACHE", str(tmp_path_factory.mktemp("cache")))
    retriever, _ = open_retriever(real_index)
    return retriever
