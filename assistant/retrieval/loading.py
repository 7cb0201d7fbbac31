"""Opening a retriever: the I/O edge of retrieval (index, bank, query encoder, cached bank vectors).

``open_retriever`` reads what the ranking needs from disk and hands a ready ``Retriever``
(``retriever.py``, which does no I/O of its own) to the CLI, the app, the audit and the eval. Where
to read from comes from the command's settings record (``index/settings.py``), passed in as
``user``; nothing here reads the environment.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

import numpy as np

from assistant.retrieval.cache import cached_array
from assistant.retrieval.retriever import Retriever, Settings, question_context
from index.embedder import Embedder
from index.settings import ENV_QUERY_ENCODER, UserSettings, default_settings
from index.store import LoadedIndex

if TYPE_CHECKING:
    from assistant.bank.parse import Question
    from index.bank_fit import BankFit

QueryEncoder = Literal["auto", "onnx", "sentence-transformers"]
QUERY_ENCODERS: tuple[str, ...] = ("auto", "onnx", "sentence-transformers")


def cached_bank_vectors(
    encoder: Embedder, texts: Sequence[str], probe_key: str, cache: Path | None = None
) -> np.ndarray:
    """Bank vectors, cached on disk (in ``cache``) by model and content; a failed cache write is not an error."""
    key = hashlib.sha256("\0".join([encoder.name, probe_key, *texts]).encode()).hexdigest()[:24]

    def compute() -> np.ndarray:
        return encoder.encode(list(texts)) if texts else np.zeros((0, encoder.dim), np.float32)

    return cached_array(cache, f"bank-{key}", (len(texts), encoder.dim), compute)


def onnx_query_encoder(index: LoadedIndex) -> tuple[Embedder | None, str]:
    """The index's exported query encoder if it loads and reproduces the probe vector; else (None, why)."""
    from index.embedder import check_probe
    from index.store import query_encoder_folder

    folder = query_encoder_folder(index)
    if folder is None:
        return None, "the index has no fast query encoder (re-run python -m ingest to add one)"
    try:
        from index.onnx_encoder import OnnxEncoder

        encoder = OnnxEncoder(folder)
        check_probe(encoder, index.manifest.probe, index.manifest.model)
    except Exception as exc:  # noqa: BLE001 - a missing runtime, an unloadable or mismatched export: fall back
        return None, f"the index's fast query encoder is not usable here ({type(exc).__name__})"
    return encoder, ""


def open_retriever(
    index_dir: Path | None = None,
    bank_path: Path | None = None,
    model: str | None = None,
    settings: Settings | None = None,
    encoder: QueryEncoder | None = None,
    reranker: str | None = None,
    *,
    user: UserSettings | None = None,
    database: str | None = None,
) -> tuple[Retriever, tuple[str, ...]]:
    """Load index (if any), bank and encoder. Returns the retriever and notices for the user.

    ``user``: the command's settings record. It gives the index and bank when ``index_dir`` and
    ``bank_path`` are not given, the cache folder, the query encoder, and whether the user named the
    index and the bank. Without it: the defaults (``data/``), no on-disk cache, and an index or bank
    is "named" when it is passed here.

    A missing index at the default location is not an error: the bank still answers, and the
    notice says how to ingest. A named one (--index, $SLIDEBANK_INDEX) must exist (IndexMissing).
    A damaged index or one built with another model is an error (IndexInvalid).

    ``encoder`` (default: the settings' query encoder, else "auto") picks the query encoder:
    "auto" uses the ONNX export stored in the index when it reproduces the index's probe vector
    and sentence-transformers otherwise; "onnx" insists on the export; "sentence-transformers"
    never uses it. Only the chosen one is imported, so the fast path never loads torch.

    ``reranker`` (a local cross-encoder folder or cached name; default none) re-orders the top of
    every fused ranking; it loads sentence-transformers, and an unloadable one is an InputError.

    ``database`` (default: the settings' ``database_url``), a postgresql:// URL, reads the live
    generation of the shared store instead of an index folder, with the course bank stored beside
    it unless a bank is named (docs/deployment.md).
    """
    from assistant.bank.parse import read_bank, reference_notices
    from index.embedder import DEFAULT_MODEL, check_probe, load_embedder
    from index.errors import IndexInvalid, IndexMissing, InputError
    from index.store import load_index

    if user is None:
        user = default_settings().with_(index_named=index_dir is not None, bank_named=bank_path is not None, cache=None)
    index_named = user.index_named or index_dir is not None
    bank_named = user.bank_named or bank_path is not None
    notices: list[str] = []
    url = database if database is not None else user.database_url
    stored: tuple[tuple[Question, ...], str] | None = None
    try:
        if url:
            from assistant.retrieval.database import open_database, stored_bank

            index: LoadedIndex | None = open_database(url, cache=user.cache)
            stored = stored_bank(index) if not bank_named else None  # type: ignore[arg-type]
            bank_named = bank_named or stored is not None  # staff gave it at ingest: used even if it does not fit
        else:
            index = load_index(index_dir if index_dir is not None else user.index)
    except IndexMissing as exc:
        if index_named or url:
            raise  # an index the user named (--index, $SLIDEBANK_INDEX) that is not there is a mistake
        index = None
        notices.append(f"{exc}; showing bank matches only")
    if index is not None:
        notices.extend(index.notes)
    if index is not None and model is not None and model != index.manifest.model:
        raise IndexInvalid(
            f"the index was built with model {index.manifest.model!r}, not {model!r}; re-run: python -m ingest ... --model {model}"
        )
    name = index.manifest.model if index is not None else (model or DEFAULT_MODEL)
    choice = encoder or user.query_encoder or "auto"
    if choice not in QUERY_ENCODERS:
        raise InputError(f"unknown query encoder {choice!r}; use auto, onnx or sentence-transformers")
    chosen: Embedder | None = None
    if index is not None and choice != "sentence-transformers" and not name.startswith("hash:"):
        chosen, why = onnx_query_encoder(index)
        if chosen is None and choice == "onnx":
            raise IndexInvalid(f"{why}; or set {ENV_QUERY_ENCODER}=auto")
        if chosen is None:
            notices.append(f"{why}; loading sentence-transformers, which is slower")
    if chosen is None:
        chosen = load_embedder(name)
        if index is not None:
            check_probe(chosen, index.manifest.probe, index.manifest.model)
    probe = ""
    if index is not None:
        probe = ",".join(f"{x:.3f}" for x in index.manifest.probe[:8])
    bank, digest = stored if stored is not None else read_bank(bank_path if bank_path is not None else user.bank)
    fit = _recorded_fit(index, digest) if bank else None
    if fit is not None and not fit.fits and not bank_named:
        bank = ()  # another course's bank: off unless given explicitly; the app's status line says so
    notices.extend(reference_notices(bank, len(index.slides) if index is not None else None))
    # Keyed by the encoder's kind too: each encoder ranks with the bank vectors it made itself.
    vectors = cached_bank_vectors(
        chosen, [question_context(q) for q in bank], f"{type(chosen).__name__}:{probe}", user.cache
    )
    loaded = None
    if reranker is not None:
        from assistant.retrieval.rerank import load_reranker

        loaded = load_reranker(reranker)
    retriever = Retriever(
        index=index,
        bank=bank,
        encoder=chosen,
        settings=settings or Settings(),
        bank_vectors=vectors,
        reranker=loaded,
        bank_fit=fit,
        cache=user.cache,
    )
    return retriever, tuple(notices)


def _recorded_fit(index: LoadedIndex | None, digest: str) -> BankFit | None:
    """The index's verdict on the bank, if ingest judged this very bank (same content)."""
    from index.bank_fit import recorded_fit

    fit = recorded_fit(index.manifest.extras) if index is not None else None
    return fit if fit is not None and digest == fit.sha256 else None
