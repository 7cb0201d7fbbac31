"""A model server that speaks the OpenAI-compatible chat API: Ollama, vLLM, llama.cpp, LM Studio,
``transformers serve``. This is how a GPU (or many, behind one URL) writes answers.

Private by default: the prompt carries slide text and the student's question, so a URL whose host
is not loopback is refused before any connection is made, unless the caller allows remote servers.
Host names other than ``localhost`` are not resolved to find out: resolving is itself a lookup
that leaves the machine.

Every failure (unreachable, wrong model name, timeout, a server that dies mid-stream, malformed
data) becomes one ``ModelServerError`` whose message is a single line.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from assistant.answer.llm import decode_rate
from index.errors import SlidebankError
from index.settings import DEFAULT_LLM_TIMEOUT_S, ENV_LLM_URL

ENV_URL = ENV_LLM_URL  # named in messages; the command resolves it (index/settings.py)
DEFAULT_TIMEOUT_S = DEFAULT_LLM_TIMEOUT_S
MAX_TOKENS = 200


class ModelServerError(SlidebankError):
    """The model server could not give an answer; the message is one line."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: never resolved here (see the module doc)


def check_url(url: str, allow_remote: bool = False) -> str:
    """The URL, normalised (no trailing slash), or ModelServerError. Makes no connection."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ModelServerError(f"--llm-url must be an http(s) URL such as http://127.0.0.1:11434/v1, not {url!r}")
    try:
        _ = parts.port  # urlsplit parses the port lazily; a bad one raises only here
    except ValueError:
        raise ModelServerError(f"--llm-url has an invalid port: {url!r}") from None
    if not allow_remote and not is_loopback(parts.hostname):
        raise ModelServerError(
            f"refusing to send slides and questions to {parts.hostname}: not this machine; "
            "pass --allow-remote-llm to allow a remote model server"
        )
    return url.rstrip("/")


def _one_line(exc: object) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "\u2026" if len(text) > 200 else text) or type(exc).__name__


@dataclass
class ServerStream:
    """Text pieces as they arrive; afterwards the timing of the run (for the answer table)."""

    pieces: Iterator[str]
    started: float = field(default_factory=time.perf_counter)
    first_piece_s: float | None = None
    total_s: float | None = None
    new_tokens: int = 0

    def __iter__(self) -> Iterator[str]:
        for piece in self.pieces:
            if piece and self.first_piece_s is None:
                self.first_piece_s = time.perf_counter() - self.started
            if piece:
                self.new_tokens += 1  # one streamed delta is one token on the servers named above
            yield piece
        self.total_s = time.perf_counter() - self.started

    @property
    def tokens_per_s(self) -> float:
        return decode_rate(self.new_tokens, self.first_piece_s, self.total_s)


class ServerLM:
    """One model on one OpenAI-compatible server. ``model`` None: the server's only model."""

    def __init__(
        self,
        url: str,
        model: str | None = None,
        *,
        allow_remote: bool = False,
        timeout_s: float | None = None,
        api_key: str | None = None,
    ) -> None:
        self.url = check_url(url, allow_remote)  # before the client exists: nothing has connected yet
        try:
            import openai
        except ImportError as exc:
            raise ModelServerError(
                "the model-server backend needs the openai package; run: pip install openai"
            ) from exc
        self._openai = openai
        timeout_s = timeout_s if timeout_s is not None else DEFAULT_TIMEOUT_S
        # Most local servers ignore the key; vLLM --api-key and hosted ones need it ($SLIDEBANK_LLM_API_KEY).
        self.client = openai.OpenAI(
            base_url=self.url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=0
        )
        self.timeout_s = timeout_s
        self._model = model
        self.last: ServerStream | None = None

    @property
    def name(self) -> str:
        return self.model

    @property
    def model(self) -> str:
        if self._model is None:
            names = self.models()
            if len(names) != 1:
                listed = ", ".join(names[:8]) or "none"
                raise ModelServerError(
                    f"the model server at {self.url} serves {len(names)} models ({listed}); name one with --llm-model"
                )
            self._model = names[0]
        return self._model

    def models(self) -> list[str]:
        try:
            return sorted(m.id for m in self.client.models.list())
        except Exception as exc:  # noqa: BLE001 - any client or protocol failure is one line
            raise self._error(exc) from None

    def _error(self, exc: BaseException, during: str = "") -> ModelServerError:
        openai = self._openai
        where = f"the model server at {self.url}"
        if isinstance(exc, ModelServerError):
            return exc
        if isinstance(exc, openai.APITimeoutError):
            return ModelServerError(f"{where} did not answer within {self.timeout_s:g} s")
        if (
            during
            and isinstance(exc, (openai.APIConnectionError, OSError))
            or type(exc).__module__.startswith(("httpx", "httpcore"))
        ):
            cause = exc.__cause__ or exc
            return ModelServerError(f"{where} stopped in the middle of the answer ({_one_line(cause)})")
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc
            return ModelServerError(f"cannot reach {where} ({_one_line(cause)}); is it running?")
        if isinstance(exc, openai.APIStatusError):
            detail = _one_line(
                exc.body
                if isinstance(exc.body, str)
                else (exc.body or {}).get("message", "")
                if isinstance(exc.body, dict)
                else exc
            )
            if exc.status_code in (400, 404) and self._model is not None:
                try:
                    names = sorted(m.id for m in self.client.models.list())
                except Exception:  # noqa: BLE001 - the hint is optional
                    names = []
                if names and self._model not in names:
                    return ModelServerError(f"{where} has no model {self._model!r}; it serves: {', '.join(names[:8])}")
            return ModelServerError(f"{where} refused the request (HTTP {exc.status_code}: {detail or 'no detail'})")
        return ModelServerError(
            f"{where} sent {during or 'a reply'} that could not be read ({type(exc).__name__}: {_one_line(exc)})"
        )

    def stream(self, messages: Sequence[dict[str, str]], max_new_tokens: int = MAX_TOKENS) -> ServerStream:
        """Start one chat turn; iterate the returned stream for text as it arrives (greedy decoding)."""
        model = self.model
        try:
            # The turns are plain role/content dicts; the client's TypedDicts describe the same JSON.
            turns: Any = list(messages)
            response: Any = self.client.chat.completions.create(
                model=model,
                messages=turns,
                stream=True,
                temperature=0.0,
                max_tokens=max_new_tokens,
            )
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

        def pieces() -> Iterator[str]:
            try:
                for chunk in response:
                    choices = getattr(chunk, "choices", None)
                    if choices is None:
                        raise ValueError("a chunk without choices")
                    for choice in choices:
                        content = choice.delta.content if choice.delta is not None else None
                        if content is not None and not isinstance(content, str):
                            raise ValueError("content that is not text")
                        if content:
                            yield content
            except Exception as exc:  # noqa: BLE001 - a dropped connection or bad JSON mid-stream
                raise self._error(exc, "a stream") from None
            finally:
                response.close()

        self.last = ServerStream(pieces())
        return self.last


_clients: dict[tuple[str, str | None, bool, float | None, str | None], ServerLM] = {}


def connect(
    url: str,
    model: str | None = None,
    allow_remote: bool = False,
    *,
    timeout_s: float | None = None,
    api_key: str | None = None,
) -> ServerLM:
    """One client per (URL, model) per process: a batch or the app reuses its connection pool."""
    key = (url, model, allow_remote, timeout_s, api_key)
    if key not in _clients:
        _clients[key] = ServerLM(url, model, allow_remote=allow_remote, timeout_s=timeout_s, api_key=api_key)
    return _clients[key]
