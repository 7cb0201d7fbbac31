"""The torch-free query path on the real deck: same vectors, same rankings, nothing heavy imported."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.evaluation.retrieval import bank_queries
from assistant.retrieval.loading import onnx_query_encoder, open_retriever
from index.embedder import SentenceTransformerEmbedder
from index.onnx_encoder import OnnxEncoder
from index.store import load_index, query_encoder_folder
from tests.support.paths import REAL_DECK, ROOT

pytestmark = pytest.mark.slow
HEAVY = ("torch", "sentence_transformers", "transformers", "langchain_text_splitters", "pypdf", "sklearn", "scipy")


@pytest.fixture(scope="module")
def encoders(real_index: Path):
    folder = query_encoder_folder(load_index(real_index), verify_weights=True)
    assert folder is not None, "ingest did not export the query encoder"
    return OnnxEncoder(folder), SentenceTransformerEmbedder()


def test_onnx_vectors_match_sentence_transformers_on_real_text(real_index: Path, encoders) -> None:
    fast, reference = encoders
    index = load_index(real_index)
    texts = [c.text for c in index.chunks[::4]] + ["kmeans", "why is CFG's omega a tradeoff?", "x " * 400]
    cosines = np.sum(fast.encode(texts) * reference.encode(texts), axis=1)
    assert cosines.min() >= 0.999, f"lowest cosine {cosines.min():.5f}"


def test_onnx_and_sentence_transformers_rank_the_bank_identically(real_index: Path) -> None:
    fast, _ = open_retriever(real_index, encoder="onnx")
    slow, _ = open_retriever(real_index, encoder="sentence-transformers")
    assert type(fast.encoder).__name__ == "OnnxEncoder" and type(slow.encoder).__name__ == "SentenceTransformerEmbedder"
    queries = bank_queries(fast)
    assert len(queries) > 100
    differing = [
        q.leave_out
        for q in queries
        if fast.ranking(q.text, exclude=[q.leave_out], section=q.section).numbers[:10].tolist()
        != slow.ranking(q.text, exclude=[q.leave_out], section=q.section).numbers[:10].tolist()
    ]
    assert differing == []


def test_an_export_that_does_not_reproduce_the_probe_is_not_used(real_index: Path) -> None:
    index = load_index(real_index)
    assert onnx_query_encoder(index)[0] is not None
    wrong = dataclasses.replace(
        index, manifest=dataclasses.replace(index.manifest, probe=tuple(-x for x in index.manifest.probe))
    )
    encoder, why = onnx_query_encoder(wrong)
    assert encoder is None and "IndexInvalid" in why


# The same cold query two ways: ``python -m assistant.query`` and the ``slidebank`` console script's entry point.
COLD_QUERY = {
    "python -m assistant.query": ("assistant.query", "[]"),
    "slidebank query": ("assistant.cli", "['query']"),
}


@pytest.mark.parametrize("command", list(COLD_QUERY))
def test_cold_query_imports_nothing_heavy(command: str, real_index: Path, tmp_path: Path) -> None:
    module, prefix = COLD_QUERY[command]
    script = (
        "import sys, json\n"
        f"from {module} import main\n"
        f"code = main({prefix} + ['--index', {str(real_index)!r}, '--json', 'why is CFG omega a tradeoff?'])\n"
        f"print(json.dumps({{'code': code, 'heavy': [m for m in {HEAVY!r} if m in sys.modules], 'onnx': 'onnxruntime' in sys.modules}}))\n"
    )
    env = {**os.environ, "SLIDEBANK_CACHE": str(tmp_path / "cache")}
    env.pop("SLIDEBANK_QUERY_ENCODER", None)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    lines = out.stdout.strip().splitlines()
    report = json.loads(lines[-1])
    assert report == {"code": 0, "heavy": [], "onnx": True}
    assert 196 in [s["number"] for s in json.loads(lines[0])["slides"][:5]]


def test_unchanged_reingest_reuses_the_export(real_index: Path, tmp_path: Path) -> None:
    from ingest.build import ingest

    copy = tmp_path / "index"
    shutil.copytree(real_index, copy, copy_function=os.link, ignore=shutil.ignore_patterns(".lock"))
    before = load_index(copy)
    report = ingest([REAL_DECK], copy, progress=False)
    after = load_index(copy)
    assert report.embedded == 0 and after.path != before.path
    assert (after.path / "query-encoder" / "model.onnx").stat().st_ino == (
        before.path / "query-encoder" / "model.onnx"
    ).stat().st_ino
    assert query_encoder_folder(after, verify_weights=True) is not None
