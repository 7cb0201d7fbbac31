"""A model server that speaks the OpenAI-compatible chat API: Ollama, vLLM, llama.cpp, LM Studio,
``transformers serve``. This is how a GPU (or many, behind one URL) writes answers.

Private by default: the prompt carries slide text and the student's question, so a URL whose host
is not loopback is refused before any connection is made, unless the caller allows remote servers.
Host names other than ``localhost`` and names under ``.localhost`` are not resolved to find out:
resolving is itself a lookup that leaves the machine, and the ``.localhost`` names are connected to
127.0.0.1 without any lookup (``assistant.answer.wire``). Redirects are never followed.

Bounded whatever the server does: ``SLIDEBANK_LLM_TIMEOUT`` is the time one answer may take from
the request to its last byte, the reply is cut at ``max_new_tokens`` pieces, that many times
``CHARS_PER_TOKEN`` characters and ``REPLY_BYTES`` bytes. A cut keeps what arrived before it, with
a note (``ServerStream.cut``); a cut before any text is an error.

Every failure (unreachable, wrong model name, timeout, a redirect, a server that dies mid-stream,
a reply that is not a stream, malformed data) becomes one ``ModelServerError`` whose message is a
single line.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from assistant.answer.llm import decode_rate
from assistant.answer.wire import Call, Expired, OverBudget, Target, loopback_address, loopback_name, sse_data
from index.errors import SlidebankError
from index.settings import DEFAULT_LLM_TIMEOUT_S, ENV_LLM_TIMEOUT, ENV_LLM_URL

ENV_URL = ENV_LLM_URL  # named in messages; the command resolves it (index/settings.py)
ENV_TIMEOUT = ENV_LLM_TIMEOUT  # seconds one answer may take, request to last byte; named in notes
DEFAULT_TIMEOUT_S = DEFAULT_LLM_TIMEOUT_S
MAX_TOKENS = 200
# A token is a few characters; 24 leaves room for long words and code while a server that sends
# one enormous "token" is still cut within a few kilobytes.
CHARS_PER_TOKEN = 24
# An event of a stream is a few hundred bytes of JSON around each token; 2 MiB is ten times what a
# long answer needs, and the most memory a reply can take.
REPLY_BYTES = 2 * 1024 * 1024
SMALL_REPLY_BYTES = 1024 * 1024  # a model list
ERROR_BYTES = 64 * 1024  # the body of a refusal, for its message


class ModelServerError(SlidebankError):
    """The model server could not give an answer; the message is one line."""


def is_loopback(host: str) -> bool:
    return loopback_name(host.strip("[]")) or loopback_address(host)


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
    """Text pieces as they arrive; afterwards the timing of the run (for the answer table) and
    ``cut``: why the reply was cut short (a note for the reader), empty when the server finished."""

    pieces: Iterator[str]
    started: float = field(default_factory=time.perf_counter)
    first_piece_s: float | None = None
    total_s: float | None = None
    new_tokens: int = 0
    cut: str = ""

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


_HTTP_ERRORS = (OSError, http.client.HTTPException)


def _detail(body: bytes) -> str:
    """The message of an error reply: OpenAI's ``{"error": {"message": …}}``, FastAPI's ``detail``, or the text."""
    try:
        payload = json.loads(body)
    except ValueError:
        return _one_line(body.decode("utf-8", "replace"))
    if isinstance(payload, dict):
        inner = payload.get("error", payload)
        for found in (inner.get("message"), inner.get("detail")) if isinstance(inner, dict) else (inner,):
            if found:
                return _one_line(found)
    return _one_line(payload)


def _content(data: bytes) -> str:
    """The text of one streamed chunk; ValueError when it is not one."""
    chunk = json.loads(data)
    if not isinstance(chunk, dict):
        raise ValueError("an event that is not a JSON object")
    if chunk.get("error"):
        raise ModelServerError(f"reported an error ({_detail(data)})")
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        raise ValueError("a chunk without choices")
    text = []
    for choice in choices:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        if delta is None:
            continue
        content = delta.get("content") if isinstance(delta, dict) else 0
        if content is not None and not isinstance(content, str):
            raise ValueError("content that is not text")
        text.append(content or "")
    return "".join(text)


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
        self.url = check_url(url, allow_remote)  # nothing has connected yet
        self.target = Target.of(self.url)
        self.timeout_s = timeout_s if timeout_s is not None else DEFAULT_TIMEOUT_S
        # Most local servers ignore the key; vLLM --api-key and hosted ones need it ($SLIDEBANK_LLM_API_KEY).
        self._auth = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._model = model
        self.last: ServerStream | None = None

    @property
    def name(self) -> str:
        return self.model

    @property
    def model(self) -> str:
        if self._model is None:
            self._model = self._only_model(self._deadline())
        return self._model

    def _only_model(self, deadline: float) -> str:
        names = self.models(deadline)
        if len(names) != 1:
            listed = ", ".join(names[:8]) or "none"
            raise ModelServerError(
                f"the model server at {self.url} serves {len(names)} models ({listed}); name one with --llm-model"
            )
        return names[0]

    def _deadline(self) -> float:
        return time.monotonic() + self.timeout_s

    @property
    def _where(self) -> str:
        return f"the model server at {self.url}"

    def _late(self) -> ModelServerError:
        return ModelServerError(f"{self._where} did not answer within {self.timeout_s:g} s ({ENV_TIMEOUT})")

    def _send(
        self, method: str, path: str, body: bytes | None, deadline: float, headers: dict[str, str]
    ) -> tuple[Call, http.client.HTTPResponse]:
        call = Call(self.target, deadline)
        try:
            return call, call.send(method, path, body, {**self._auth, **headers})
        except Expired:
            call.close()
            raise self._late() from None
        except _HTTP_ERRORS as exc:
            call.close()
            raise ModelServerError(f"cannot reach {self._where} ({_one_line(exc)}); is it running?") from None

    def _refusal(self, call: Call, response: http.client.HTTPResponse, hint: bool) -> ModelServerError:
        status = response.status
        if 300 <= status < 400:
            # Following it would send the prompt (slides and question) to wherever the server says.
            where_to = _one_line(response.getheader("Location") or "nowhere")
            return ModelServerError(
                f"{self._where} answered with a redirect (HTTP {status} to {where_to}); redirects are not "
                "followed, so nothing was sent there: give --llm-url the address of the server itself"
            )
        try:
            detail = _detail(call.read_all(response, ERROR_BYTES))
        except (Expired, OverBudget, *_HTTP_ERRORS):
            detail = ""
        if hint and status in (400, 404) and self._model is not None:
            try:
                names = self.models(self._deadline())
            except ModelServerError:  # the hint is optional
                names = []
            if names and self._model not in names:
                return ModelServerError(
                    f"{self._where} has no model {self._model!r}; it serves: {', '.join(names[:8])}"
                )
        return ModelServerError(f"{self._where} refused the request (HTTP {status}: {detail or 'no detail'})")

    def models(self, deadline: float | None = None) -> list[str]:
        call, response = self._send(
            "GET", "/models", None, deadline or self._deadline(), {"Accept": "application/json"}
        )
        try:
            if response.status != 200:
                raise self._refusal(call, response, hint=False)
            try:
                payload = json.loads(call.read_all(response, SMALL_REPLY_BYTES))
            except Expired:
                raise self._late() from None
            except OverBudget:
                raise ModelServerError(f"{self._where} sent a model list of more than 1 MB") from None
            except _HTTP_ERRORS as exc:
                raise ModelServerError(
                    f"{self._where} stopped in the middle of its model list ({_one_line(exc)})"
                ) from None
            except ValueError as exc:
                raise ModelServerError(
                    f"{self._where} sent a model list that could not be read ({_one_line(exc)})"
                ) from None
            data = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(data, list) or not all(
                isinstance(m, dict) and isinstance(m.get("id"), str) for m in data
            ):
                raise ModelServerError(f"{self._where} sent a model list that could not be read")
            return sorted(m["id"] for m in data)
        finally:
            call.close()

    def stream(self, messages: Sequence[dict[str, str]], max_new_tokens: int = MAX_TOKENS) -> ServerStream:
        """Start one chat turn; iterate the returned stream for text as it arrives (greedy decoding).
        The whole turn, from here to the last piece, ends by ``timeout_s``."""
        deadline = self._deadline()
        model = self._model if self._model is not None else self._only_model(deadline)
        self._model = model
        body = {
            "model": model,
            "messages": list(messages),
            "stream": True,
            "temperature": 0.0,
            "max_tokens": max_new_tokens,
        }
        call, response = self._send(
            "POST",
            "/chat/completions",
            json.dumps(body).encode(),
            deadline,
            {"Content-Type": "application/json", "Accept": "text/event-stream"},
        )
        try:
            if response.status != 200:
                raise self._refusal(call, response, hint=True)
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if kind != "text/event-stream":
                raise ModelServerError(
                    f"{self._where} answered with {'plain JSON' if 'json' in kind else kind or 'no content type'} "
                    "instead of the stream that was asked for; is it an OpenAI-compatible chat server?"
                )
            if (response.getheader("Content-Encoding") or "identity").lower() != "identity":
                raise ModelServerError(f"{self._where} sent a compressed stream, which was not asked for")
        except ModelServerError:
            call.close()
            raise
        self.last = ServerStream(iter(()))
        self.last.pieces = self._pieces(call, response, self.last, max_new_tokens)
        return self.last

    def _pieces(
        self, call: Call, response: http.client.HTTPResponse, stream: ServerStream, max_tokens: int
    ) -> Iterator[str]:
        max_chars = max_tokens * CHARS_PER_TOKEN
        tokens = chars = 0
        cut = ""
        try:
            for data in sse_data(call.blocks(response, REPLY_BYTES)):
                if data.strip() == b"[DONE]":
                    return
                content = _content(data)
                if not content:
                    continue
                tokens += 1
                if tokens > max_tokens or chars + len(content) > max_chars:
                    cut = f"the model server wrote more than an answer may have ({max_tokens} tokens, {max_chars} characters)"
                    if tokens <= max_tokens and chars < max_chars:
                        yield content[: max_chars - chars]
                    break
                chars += len(content)
                yield content
        except Expired:
            cut = f"the model server took longer than {self.timeout_s:g} s ({ENV_TIMEOUT})"
        except OverBudget:
            cut = f"the model server sent more than {REPLY_BYTES // 2**20} MB for one answer"
        except ModelServerError as exc:
            raise ModelServerError(f"{self._where} {exc}") from None
        except _HTTP_ERRORS as exc:
            raise ModelServerError(f"{self._where} stopped in the middle of the answer ({_one_line(exc)})") from None
        except (ValueError, TypeError) as exc:  # bad JSON, bad UTF-8, a chunk of the wrong shape
            raise ModelServerError(
                f"{self._where} sent a stream that could not be read ({type(exc).__name__}: {_one_line(exc)})"
            ) from None
        finally:
            call.close()
        if cut and not tokens:
            raise self._late() if call.expired else ModelServerError(f"{cut}, and no text before that")
        stream.cut = f"{cut}; the answer stops at the sentences checked by then" if cut else ""


_clients: dict[tuple[str, str | None, bool, float | None, str | None], ServerLM] = {}


def connect(
    url: str,
    model: str | None = None,
    allow_remote: bool = False,
    *,
    timeout_s: float | None = None,
    api_key: str | None = None,
) -> ServerLM:
    """One client per (URL, model, settings) per process: a batch or the app asks for the model list once."""
    key = (url, model, allow_remote, timeout_s, api_key)
    if key not in _clients:
        _clients[key] = ServerLM(url, model, allow_remote=allow_remote, timeout_s=timeout_s, api_key=api_key)
    return _clients[key]
