"""Tiny generated decks and a tiny bank: fast, deterministic input for the tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


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
    (
        "Classifier-Free Guidance",
        ["Denoise with conditional and unconditional models", "omega trades diversity for fidelity"],
    ),
    None,
    ("K Means Clustering", ["Assign each point to its nearest centroid", "Recompute centroids until stable"]),
]

# One lecture with a slide build (2-4) and a second lecture opened by its "Week 2: ..." slide.
LECTURE = [
    ("Week 1: Attention", ["Why context matters"]),  # 1
    ("Self-attention layers", ["Each token has a query, key and value"]),  # 2
    ("Self-attention layers (2)", ["Softmax over dot products of queries and keys"]),  # 3
    ("Self-attention layers (3)", ["Weighted sum of the values"]),  # 4
    ("Dropout", ["Randomly zero activations while training"]),  # 5
    ("Week 2: Clustering", ["Grouping points without labels"]),  # 6
    ("K Means Clustering", ["Assign each point to its nearest centroid"]),  # 7
    ("K Means Clustering - Convergence", ["Recompute centroids until stable"]),  # 8
]
BUILD_QUERY = "softmax over dot products of queries and keys"  # the text of slide 3, inside the build


def lecture_index(folder: Path) -> Path:
    """``LECTURE`` ingested with the hash embedder into ``folder / "index"``."""
    from ingest.build import ingest

    pdf = make_pdf(folder / "lecture.pdf", LECTURE)
    ingest([pdf], folder / "index", model="hash:64", progress=False)
    return folder / "index"


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


def encrypted(folder: Path, user_password: str, name: str = "locked.pdf") -> Path:
    import pypdf

    plain = make_pdf(folder / f"plain-{name}", DECK_A)
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password, owner_password="owner-secret", algorithm="AES-256")
    out = folder / name
    writer.write(out)
    return out


# Twenty-four slides on unrelated topics, and a bank that cites some right, some wrong, some not at
# all: enough slides that a wrong reference falls out of the audit's top 10, with long titles and
# a long unbroken word, the widths that pushed the audit tables out of their panel.
TOPICS = [
    "volcano basalt magma eruption",
    "violin bow strings orchestra",
    "glacier ice moraine valley",
    "bakery sourdough yeast crust",
    "comet nucleus tail orbit",
    "chess opening gambit endgame",
    "coral reef polyp lagoon",
    "printing press movable type",
    "honeybee hive pollen queen",
    "lighthouse lens beacon coast",
    "tectonic plate subduction trench",
    "origami crease fold paper",
    "penguin colony krill antarctic",
    "telescope mirror aperture focus",
    "windmill sails grain millstone",
    "saffron crocus stigma spice",
    "submarine ballast periscope sonar",
    "tapestry loom weft warp",
    "rainforest canopy epiphyte humidity",
    "harpsichord quill pluck keyboard",
    "desert dune sandstone erosion",
    "kite string wind lift",
    "cathedral buttress nave vault",
    "mushroom mycelium spore gills",
]
LONG_TITLE = "An extraordinarily long slide title that goes on and on about volcano basalt and magma chambers"
LONG_WORD = "supercalifragilistic" * 12  # 240 characters without a break


def audit_deck_pages() -> list[tuple[str, list[str]]]:
    pages = [(t.split()[0].title() + " " + t.split()[1], [t, t.split()[2] + " and " + t.split()[3]]) for t in TOPICS]
    pages[0] = (LONG_TITLE, pages[0][1])
    return pages


AUDIT_BANK = f"""\
### earth

- what erupts from a volcano as magma and basalt? (1)
- how does a glacier carve a moraine valley? (3)
- why do tectonic plate trenches form by subduction? (11)
- how do desert dunes erode sandstone? (7)
- what does the {LONG_WORD} volcano basalt eruption leave behind?

### crafts

- how is sourdough yeast raised for a crust? (4)
- how did the printing press use movable type? (8)
- which crease makes an origami paper fold? (12)
- how does a loom weave weft and warp in a tapestry? (2)
- why does a kite need wind for lift on its string?
- how does a harpsichord quill pluck the keyboard string, compared with the bow of a violin in an orchestra?
"""
