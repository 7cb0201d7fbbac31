"""A network guard: any name lookup, or any connection to an address off loopback, is refused and recorded.

An audit hook (PEP 578) sees every ``getaddrinfo``, ``gethostbyname``/``gethostbyaddr`` and
``connect`` of the process, in every thread and under every library, before it happens, so
nothing can go around it. A lookup of an IP literal on loopback is allowed (it asks no resolver:
``socket.create_connection`` makes one for every address); every name, even ``localhost``, is a
lookup that may leave the computer and is refused.

In a test: ``with guard() as seen:`` (or the ``network_guard`` fixture), then ``assert not seen``.
For the real CLI in a subprocess: ``python -m tests.support.net_guard LOG MODULE ARGS...`` runs
``python -m MODULE ARGS...`` under the guard, writes each refused attempt and the process's peak
memory to LOG.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_active: list[list[str]] = []  # the open guards' records; the hook is installed once per process
_installed = False


def _loopback_ip(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _hook(event: str, args: tuple) -> None:
    if not _active:
        return
    refused = None
    if event == "socket.getaddrinfo":
        host = args[0]
        if host is not None and not _loopback_ip(host):
            refused = f"name lookup of {host!r}"
    elif event in ("socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        refused = f"{event.split('.')[1]} of {args[0]!r}"
    elif event == "socket.connect":
        sock, address = args
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback_ip(address[0]):
            refused = f"connection to {address!r}"
    if refused is not None:
        for seen in _active:
            seen.append(refused)
        raise OSError(f"network guard: {refused} refused")


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


@contextmanager
def guard() -> Iterator[list[str]]:
    """While open, lookups and connections off loopback are refused; yields the list of attempts."""
    _install()
    seen: list[str] = []
    _active.append(seen)
    try:
        yield seen
    finally:
        _active.remove(seen)


def _main(argv: list[str]) -> None:
    import atexit
    import resource
    import runpy

    log, module, rest = argv[0], argv[1], argv[2:]
    _install()
    seen: list[str] = []
    _active.append(seen)

    def report() -> None:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with open(log, "w", encoding="utf-8") as out:
            out.writelines(f"refused: {line}\n" for line in seen)
            out.write(f"peak_mb: {peak_mb:.0f}\n")

    atexit.register(report)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
