"""HTTP to a model server, held to what the answer may cost: one place, one host, one deadline, a byte budget.

The standard library's ``http.client`` and nothing above it, because each of these is a property
of that choice rather than a setting someone can forget:

- no redirects: ``http.client`` follows none, so a server that answers 30x cannot send the prompt
  (slides and question) anywhere else; the caller reports the redirect;
- no proxies: the ``HTTP_PROXY`` family of variables is never read, so a loopback URL stays on
  loopback;
- no name lookups for this computer: ``localhost`` and every name under ``.localhost`` (RFC 6761)
  connect to 127.0.0.1 without asking any resolver, which could answer with any address; the name
  still goes in the ``Host`` header, as a browser would send it. Other names are only connected to
  when the caller allowed remote servers;
- one deadline per request: a watchdog shuts the socket down when the time is up, which ends any
  blocked read at once, however slowly the server drips bytes;
- a byte budget: the reply is read in bounded blocks and counted, so a huge reply costs no more
  memory than the budget.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

BLOCK = 16 * 1024  # bytes read at a time


class Expired(Exception):
    """The request's deadline passed (the watchdog shut the connection down)."""


class OverBudget(Exception):
    """The reply is longer than the caller's byte budget."""


def loopback_name(host: str) -> bool:
    """``localhost`` or a name under ``.localhost``: this computer by definition (RFC 6761)."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def loopback_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Target:
    """Where requests go: the address connected to (an IP literal unless remote servers are allowed),
    the ``Host`` header, and the URL path the API lives under."""

    scheme: str
    connect_host: str
    port: int
    host_header: str
    base_path: str

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        host = parts.hostname or ""
        scheme = parts.scheme
        port = parts.port or (443 if scheme == "https" else 80)
        connect = "127.0.0.1" if loopback_name(host) else host
        shown = f"[{host}]" if ":" in host else host
        header = shown if parts.port is None else f"{shown}:{parts.port}"
        return cls(scheme, connect, port, header, parts.path.rstrip("/"))

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(
                self.connect_host, self.port, timeout=timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self.connect_host, self.port, timeout=timeout)


class Call:
    """One request and its reply, cut off at ``deadline`` (``time.monotonic()``) whatever the server does."""

    def __init__(self, target: Target, deadline: float) -> None:
        self.target = target
        self.deadline = deadline
        self.expired = False
        self.received = 0
        self.conn = target.connection(timeout=max(0.05, deadline - time.monotonic()))
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked in another thread at once
            except OSError:
                pass

    def check(self) -> None:
        if self.expired or time.monotonic() >= self.deadline:
            self.expired = True
            raise Expired

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> http.client.HTTPResponse:
        """Send the request; the reply's status and headers (their size is capped by ``http.client``)."""
        headers = {
            "Host": self.target.host_header,
            "Accept-Encoding": "identity",  # compressed replies would dodge the byte budget
            **headers,
        }
        try:
            self.conn.request(method, self.target.base_path + path, body=body, headers=headers)
            self.check()
            return self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.check()  # a read the watchdog ended is the deadline, not a failure of the server
            raise

    def blocks(self, response: http.client.HTTPResponse, budget: int) -> Iterator[bytes]:
        """The body as it arrives, in blocks of at most ``BLOCK`` bytes; ``OverBudget`` past ``budget`` bytes."""
        while True:
            try:
                block = response.read1(BLOCK)
            except (OSError, http.client.HTTPException):
                self.check()
                raise
            self.check()
            if not block:
                if response.length:  # fewer bytes than Content-Length promised: the connection dropped
                    raise http.client.IncompleteRead(b"", response.length)
                return
            self.received += len(block)
            if self.received > budget:
                raise OverBudget
            yield block

    def read_all(self, response: http.client.HTTPResponse, budget: int) -> bytes:
        return b"".join(self.blocks(response, budget))

    def close(self) -> None:
        self._timer.cancel()
        self.conn.close()


def lines(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Lines (without their end) from blocks of bytes; each byte is looked at once."""
    pending: list[bytes] = []
    for block in blocks:
        start = 0
        while (end := block.find(b"\n", start)) >= 0:
            pending.append(block[start:end])
            yield b"".join(pending).rstrip(b"\r")
            pending = []
            start = end + 1
        if start < len(block):
            pending.append(block[start:])
    if pending:
        yield b"".join(pending).rstrip(b"\r")


def sse_data(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """The ``data`` of each server-sent event (several ``data:`` lines of one event joined by a newline)."""
    data: list[bytes] = []
    for line in lines(blocks):
        if not line:
            if data:
                yield b"\n".join(data)
                data = []
        elif line.startswith(b"data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(b" ") else value)
        # other fields (event:, id:, retry:) and comments (":") carry nothing an answer needs
    if data:
        yield b"\n".join(data)
