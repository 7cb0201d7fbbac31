"""A lean client for a Gradio app's REST API, standard library only, for the load benchmarks.

    python -m benchmarks.gradio_http http://127.0.0.1:7860/ search "explain self attention"

Speaks Gradio's documented two-step protocol ("Querying Gradio Apps with Curl"):
``POST /gradio_api/call/{api_name}`` with ``{"data": [inputs...]}`` answers ``{"event_id": ID}``;
``GET /gradio_api/call/{api_name}/{ID}`` answers a server-sent-event stream whose ``event: complete``
carries ``data: [outputs...]`` and whose ``event: error`` says the call failed (``generating`` and
``heartbeat`` events come before them and are skipped).

Why not ``gradio_client.Client``: it costs about 66 ms of CPU per request in the calling process,
and a load generator's threads share one GIL and the app's cores, so the generator itself became
the bottleneck and inflated the latencies it reported. This client keeps one keep-alive
``HTTPConnection`` (two small requests per call, a few JSON lines parsed), so nearly all the time a
request takes is the app's.

One ``GradioHTTP`` per thread: a connection carries one request at a time. The command line prints
the outputs as JSON, or one ``error:`` line and exit status 1.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import sys
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

PREFIX = "/gradio_api/call/"
# What a keep-alive connection the server closed while idle looks like when the next request goes
# out on it (uvicorn closes idle connections after a few seconds): nothing was processed, so the
# request is sent again once on a fresh connection.
DROPPED = (http.client.RemoteDisconnected, http.client.CannotSendRequest, ConnectionResetError, BrokenPipeError)


class GradioCallError(RuntimeError):
    """A call the app refused (non-200 status) or answered with an ``error`` event."""


CARD_SRC = re.compile(r'<img class="sb-thumb" src="([^"]+)"')


def fetch_new_images(client: GradioHTTP, html: str, seen: set[str], timeout: float) -> list[float]:
    """What a browser does after a search: fetch the card images it has not cached yet (the app
    serves them at content-addressed URLs, cached for good). Returns one latency per image."""
    times = []
    for src in CARD_SRC.findall(html):
        if src in seen or src.startswith("data:"):
            continue
        started = time.perf_counter()
        data = client.get(src, timeout=timeout)
        if data[:3] != b"\xff\xd8\xff":
            raise ValueError(f"{src} is not a JPEG")
        times.append(time.perf_counter() - started)
        seen.add(src)
    return times


class GradioHTTP:
    """Calls to one Gradio app over one persistent HTTP/1.1 connection; ``headers`` go on every request."""

    def __init__(self, url: str, headers: Mapping[str, str] | None = None, timeout: float = 120.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"expected an http:// URL of a Gradio app, got {url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.root = parts.path.rstrip("/")  # an app mounted under a path keeps it
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        # One session per client, as one open page has: without it every call is a new session,
        # which Gradio builds (every component's config) and keeps, a cost no page causes.
        self.session_hash = secrets.token_hex(8)

    def call(self, api_name: str, *inputs: Any, timeout: float | None = None) -> list[Any]:
        """The outputs list of ``api_name`` (``"search"`` or ``"/search"``) called with ``inputs``.

        Raises ``GradioCallError`` for a non-200 answer or an error event, ``TimeoutError`` past ``timeout``
        seconds (default: the client's) for the whole call, ``OSError`` when the app cannot be reached.
        """
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        path = f"{self.root}{PREFIX}{api_name.strip('/')}"
        status, body = self._exchange(
            "POST", path, json.dumps({"data": list(inputs), "session_hash": self.session_hash}).encode(), deadline
        )
        if status != 200:
            raise GradioCallError(f"POST {path}: HTTP {status}: {body[:200].decode(errors='replace').strip()}")
        event_id = json.loads(body)["event_id"]
        return self._result(api_name.strip("/"), f"{path}/{event_id}", deadline)

    def get(self, path: str, timeout: float | None = None) -> bytes:
        """The body of ``GET path`` (relative to the app's URL, as a page's ``src`` is); non-200 raises."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        full = f"{self.root}/{path.lstrip('/')}"
        status, body = self._exchange("GET", full, None, deadline, accept="*/*")
        if status != 200:
            raise GradioCallError(f"GET {full}: HTTP {status}: {body[:200].decode(errors='replace').strip()}")
        return body

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> GradioHTTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self, deadline: float) -> http.client.HTTPConnection:
        left = _left(deadline)
        if self._conn is not None and self._conn.sock is not None:
            try:
                self._conn.sock.settimeout(left)
            except OSError:  # the socket is gone already: start afresh
                self.close()
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=left)
        return self._conn

    def _send(
        self, method: str, path: str, body: bytes | None, deadline: float, accept: str | None = None
    ) -> http.client.HTTPResponse:
        """The response's status line and headers, on the kept connection or, once, on a fresh one."""
        accept = accept or ("application/json" if body is not None else "text/event-stream")
        headers = {**self.headers, "Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection(deadline)
            try:
                conn.request(method, path, body=body, headers=headers)
                return conn.getresponse()
            except DROPPED:
                self.close()
                if attempt == 2:
                    raise
            except BaseException:
                self.close()  # a half-read answer would poison the next request on this connection
                raise
        raise AssertionError("unreachable")

    def _exchange(
        self, method: str, path: str, body: bytes | None, deadline: float, accept: str | None = None
    ) -> tuple[int, bytes]:
        response = self._send(method, path, body, deadline, accept)
        try:
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, data

    def _result(self, api_name: str, path: str, deadline: float) -> list[Any]:
        response = self._send("GET", path, None, deadline)
        try:
            if response.status != 200:
                text = response.read()[:200].decode(errors="replace").strip()
                raise GradioCallError(f"GET {path}: HTTP {response.status}: {text}")
            event, outcome = "", None
            while outcome is None:
                if self._conn is not None and self._conn.sock is not None:
                    self._conn.sock.settimeout(_left(deadline))  # heartbeats must not stretch the call
                line = response.readline()
                if not line:
                    raise GradioCallError(f"GET {path}: the event stream ended without a result")
                text = line.decode().rstrip("\r\n")
                if text.startswith("event:"):
                    event = text[6:].strip()
                elif text.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(text[5:].strip() or "null")
                    if event == "error":
                        raise GradioCallError(f"{api_name}: the app answered with an error: {_message(payload)}")
                    if not isinstance(payload, list):
                        raise GradioCallError(f"GET {path}: expected a list of outputs, got {payload!r}"[:300])
                    outcome = payload
            response.read()  # the rest of the stream (its end), so that the connection can be reused
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return outcome


def _message(payload: Any) -> str:
    """An error event's text: ``gr.Error``'s message, else the payload as sent (an app that hides
    its errors sends ``{"error": null}``)."""
    if isinstance(payload, dict) and "error" in payload:
        payload = payload["error"]
    return "no message (the app does not show its errors)" if payload is None else str(payload)[:300]


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the call ran past its timeout")
    return left


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m benchmarks.gradio_http URL API_NAME [TEXT_INPUT ...]", file=sys.stderr)
        return 2
    try:
        with GradioHTTP(args[0], timeout=60.0) as client:
            outputs = client.call(args[1], *args[2:])
    except (GradioCallError, OSError, ValueError) as exc:  # TimeoutError is an OSError
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
