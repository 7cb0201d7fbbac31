"""The ONNX query encoder's pure parts and its reuse between generations (no model needed)."""

from pathlib import Path

import numpy as np
import pytest

from index.onnx_encoder import ENCODER_DIR, ENCODER_FILES, _pooling_mode, build_query_encoder, has_query_encoder, pool
from index.store import load_index, query_encoder_checksums
from tests.support.settings import configured


def test_mean_pooling_ignores_padding() -> None:
    hidden = np.array([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    assert pool(hidden, mask, "mean").tolist() == [[2.0, 3.0]]
    assert pool(hidden, mask, "cls").tolist() == [[1.0, 2.0]]
    assert pool(hidden, mask, "max").tolist() == [[3.0, 4.0]]


def test_pooling_config_new_and_legacy_styles() -> None:
    assert _pooling_mode({"pooling_mode": "mean"}) == "mean"
    assert _pooling_mode({"pooling_mode": ["cls"]}) == "cls"
    assert _pooling_mode({"pooling_mode": ["mean", "max"]}) is None  # concatenated poolings: not exported
    assert _pooling_mode({"pooling_mode": "lasttoken"}) is None
    assert _pooling_mode({"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}) == "mean"
    assert _pooling_mode({"pooling_mode_mean_tokens": True, "pooling_mode_mean_sqrt_len_tokens": True}) is None


def _fake_export(folder: Path, model: str = "m") -> Path:
    (folder / ENCODER_DIR).mkdir(parents=True)
    for name in ENCODER_FILES:
        (folder / ENCODER_DIR / name).write_text(f'{{"model": "{model}"}}' if name == "encoder.json" else name)
    return folder


def test_unchanged_model_reuses_the_previous_export_without_loading_it(tmp_path: Path) -> None:
    old = _fake_export(tmp_path / "old")
    new = tmp_path / "new"
    new.mkdir()

    def must_not_load():
        raise AssertionError("the model was loaded although the export could be reused")

    assert build_query_encoder(new, "m", [0.6, 0.8], old, [0.6, 0.8], must_not_load) == "reused"
    assert has_query_encoder(new)
    assert (new / ENCODER_DIR / "model.onnx").stat().st_ino == (old / ENCODER_DIR / "model.onnx").stat().st_ino
    assert set(query_encoder_checksums(new)) == {f"{ENCODER_DIR}/{n}" for n in ENCODER_FILES}


@pytest.mark.parametrize(("name", "probe"), [("m", [0.8, 0.6]), ("other", [0.6, 0.8])])
def test_changed_model_or_weights_export_again(tmp_path: Path, name: str, probe: list[float]) -> None:
    old = _fake_export(tmp_path / "old")
    new = tmp_path / "new"
    new.mkdir()
    loaded = []

    class NotExportable(list):  # a module stack export_plan refuses, so nothing is written
        pass

    def load():
        loaded.append(True)
        return NotExportable()

    assert build_query_encoder(new, name, probe, old, [0.6, 0.8], load) == "unsupported"
    assert loaded and not (new / ENCODER_DIR).exists()


def test_hash_index_has_no_encoder_and_queries_without_one(
    hash_index: Path, bank_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.retrieval.loading import open_retriever
    from index.errors import InputError

    index = load_index(hash_index)
    assert not has_query_encoder(index.path)
    assert not any(k.startswith(ENCODER_DIR) for k in index.manifest.files)
    retriever, _ = open_retriever(hash_index, bank_file)
    assert retriever.encoder.name == "hash:64"
    monkeypatch.setenv("SLIDEBANK_QUERY_ENCODER", "fastest")
    with pytest.raises(InputError, match="unknown query encoder"):
        open_retriever(hash_index, bank_file, user=configured())  # as a command resolves it
