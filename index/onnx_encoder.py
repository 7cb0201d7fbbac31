"""A query encoder without torch: the index's embedding model exported to ONNX at ingest.

Importing sentence-transformers costs 6-9 s on a small machine (it pulls torch, transformers and
scikit-learn), which dwarfs everything else a one-shot ``python -m assistant.query`` does. So
ingest, which has the model loaded anyway, exports it into the index generation::

    query-encoder/
      model.onnx       the transformer, inputs (input_ids, attention_mask) -> last_hidden_state
      tokenizer.json   the model's fast tokenizer (Hugging Face ``tokenizers`` format)
      encoder.json     pooling, normalisation, maximum sequence length, dimension, model name

and a query runs it with onnxruntime and tokenizers only (about half a second to load). Whether
the export reproduces the model is not assumed: ``open_retriever`` checks the index's probe
vector with it and falls back to sentence-transformers when the check fails.

Only models made of Transformer -> Pooling (mean, cls or max) -> optional Normalize are
exported; any other stack (a Dense head, a prompt-excluding pooler) is simply not exported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from index.store import QUERY_ENCODER_DIR as ENCODER_DIR
from index.store import QUERY_ENCODER_FILES as ENCODER_FILES

OPSET = 17
_POOLINGS = ("mean", "cls", "max")


def _pooling_mode(config: dict[str, Any]) -> str | None:
    """The single pooling mode of a sentence-transformers Pooling config, old or new style."""
    mode = config.get("pooling_mode")
    if isinstance(mode, (list, tuple)):
        mode = mode[0] if len(mode) == 1 else None
    if mode is None:  # sentence-transformers < 6 wrote one boolean per mode
        legacy = {"mean": "pooling_mode_mean_tokens", "cls": "pooling_mode_cls_token", "max": "pooling_mode_max_tokens"}
        chosen = [name for name, key in legacy.items() if config.get(key)]
        extra = (
            config.get("pooling_mode_mean_sqrt_len_tokens")
            or config.get("pooling_mode_weightedmean_tokens")
            or config.get("pooling_mode_lasttoken")
        )
        mode = chosen[0] if len(chosen) == 1 and not extra else None
    return mode if mode in _POOLINGS else None


def export_plan(model: Any) -> dict[str, Any] | None:
    """What ``encoder.json`` will say for a loaded SentenceTransformer, or None if not exportable."""
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    transformer, pooling = modules[0], modules[1]
    config = pooling.get_config_dict()
    mode = _pooling_mode(config)
    if mode is None or config.get("include_prompt", True) is False:
        return None
    backend = getattr(getattr(transformer, "tokenizer", None), "backend_tokenizer", None)
    if backend is None or not hasattr(transformer, "auto_model"):
        return None
    return {
        "pooling": mode,
        "normalize": True,  # slidebank's embedders always return unit rows
        "max_seq_length": int(transformer.max_seq_length),
        "dim": int(config.get("embedding_dimension") or config.get("word_embedding_dimension")),
        "opset": OPSET,
    }


def export_query_encoder(model: Any, model_name: str, folder: Path) -> bool:
    """Write ``folder/`` (see module doc) for a loaded SentenceTransformer. False if not exportable.

    ``torch.onnx.export`` with the TorchScript exporter (``dynamo=False``): the dynamo exporter is
    slower and fussier here. The wrapper passes inputs by keyword because with transformers 5
    positional inputs collide with ``use_cache``.
    """
    plan = export_plan(model)
    if plan is None:
        return False
    import torch

    transformer = model[0]

    class _Wrapper(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    folder.mkdir(parents=True, exist_ok=True)
    wrapper = _Wrapper(transformer.auto_model).eval()
    sample = transformer.tokenizer(
        ["a short sample", "a second, slightly longer sample sentence"], padding=True, return_tensors="pt"
    )
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer chatter about shapes taken as constants; parity is checked after
        torch.onnx.export(
            wrapper,
            (sample["input_ids"], sample["attention_mask"]),
            str(folder / "model.onnx"),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
            opset_version=OPSET,
            dynamo=False,
        )
    transformer.tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "encoder.json").write_text(json.dumps({"model": model_name, **plan}, indent=1), encoding="utf-8")
    return True


class OnnxEncoder:
    """The exported query encoder. ``encode`` returns ``(n, dim)`` float32 unit rows, like every Embedder."""

    is_export = True  # ingest tells these vectors apart from the full model's (see ingest/build.py)

    def __init__(self, folder: Path, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
        self.name: str = config["model"]
        self.dim: int = int(config["dim"])
        self.pooling: str = config["pooling"]
        self.folder = folder
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
        self.tokenizer.enable_padding(pad_id=self.tokenizer.padding["pad_id"] if self.tokenizer.padding else 0)
        options = onnxruntime.SessionOptions()
        # Two threads: enough for one short query, and polite on a small shared machine.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Graph optimisation costs more at session start (0.46 vs 0.26 s CPU here) than it saves on
        # the handful of short texts a query process encodes; no spinning threads on a shared machine.
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str], *, progress: bool = False, batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch with little padding
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = pool(hidden, mask, self.pooling)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """Token vectors ``(n, tokens, dim)`` and mask ``(n, tokens)`` to sentence vectors ``(n, dim)``."""
    if mode == "cls":
        return hidden[:, 0]
    weights = mask[..., None].astype(np.float32)
    if mode == "max":
        return np.where(weights > 0, hidden, -1e9).max(axis=1)
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def has_query_encoder(generation: Path) -> bool:
    return all((generation / ENCODER_DIR / name).is_file() for name in ENCODER_FILES)


def _probe_cosine(a: Sequence[float], b: Sequence[float]) -> float:
    x, y = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    if x.shape != y.shape or not len(x):
        return -1.0
    return float(x @ y / max(float(np.linalg.norm(x) * np.linalg.norm(y)), 1e-12))


def build_query_encoder(
    generation: Path,
    model_name: str,
    probe: Sequence[float],
    previous: Path | None,
    previous_probe: Sequence[float] | None,
    load_model: Any,
) -> str:
    """Give ``generation`` a ``query-encoder/``: reused from ``previous`` or freshly exported.

    The previous generation's export is hard-linked (copied across file systems) when it was
    made for the same model name and the probe vectors agree, i.e. the weights did not change;
    that keeps an unchanged re-ingest free of torch. ``load_model()`` returns the loaded
    SentenceTransformer and is only called when an export is needed. Returns what happened:
    ``"reused"``, ``"exported"`` or ``"unsupported"``.
    """
    import os
    import shutil

    target = generation / ENCODER_DIR
    if previous is not None and previous_probe is not None and has_query_encoder(previous):
        try:
            made_for = json.loads((previous / ENCODER_DIR / "encoder.json").read_text(encoding="utf-8")).get("model")
        except (OSError, ValueError):
            made_for = None
        if made_for == model_name and _probe_cosine(probe, previous_probe) >= 0.9999:
            target.mkdir(parents=True, exist_ok=True)
            for name in ENCODER_FILES:
                try:
                    os.link(previous / ENCODER_DIR / name, target / name)
                except OSError:
                    shutil.copyfile(previous / ENCODER_DIR / name, target / name)
            return "reused"
    if export_query_encoder(load_model(), model_name, target):
        return "exported"
    shutil.rmtree(target, ignore_errors=True)
    return "unsupported"
