"""Run one function in a child process, so that it uses the second core while this one works.

Ingest reads and renders the PDF (pypdf, pypdfium2, PNG encoding) while it imports the embedding
model. In threads both hold the GIL for most of their time and take turns on one core; in two
processes they run side by side.

The child is started with ``spawn`` (never ``fork``: the parent may be importing torch in another
thread at that moment, and a forked child would inherit its locks half-held). It ignores Ctrl-C
(the parent owns the interrupt and kills it), and it stops by itself at the next page when its
parent has died (SIGKILL, OOM), so no orphan keeps writing into a half-built index.
"""

from __future__ import annotations

import os
import signal
from typing import Any, Callable


class ChildFailed(RuntimeError):
    """The child could not be started or died without an answer (not: the function raised)."""


Tick = Callable[[int], None]


def call_in_child(fn: Callable[..., Any], args: tuple, on_tick: Tick) -> Any:
    """``fn(*args, tick)`` in a spawned process; its ``tick(n)`` calls reach ``on_tick(n)`` here.

    Returns what ``fn`` returned and re-raises what it raised. ``fn``, its arguments, result and
    exceptions must pickle; ``fn`` must be importable by name (a module-level function).
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    try:
        child = context.Process(target=_child, args=(send, os.getpid(), fn, args), name="slidebank-ingest-pages", daemon=True)
        child.start()
    except Exception as exc:  # noqa: BLE001 - e.g. no /dev/shm or a process limit: the caller works in-process
        receive.close()
        send.close()
        raise ChildFailed(f"cannot start a worker process ({type(exc).__name__}: {exc})") from exc
    send.close()  # only the child writes; its exit then ends our reads with EOFError
    finished = False
    try:
        while True:
            try:
                kind, value = receive.recv()
            except EOFError:
                child.join()
                raise ChildFailed(f"the worker process died (exit code {child.exitcode})") from None
            if kind == "tick":
                on_tick(value)
            elif kind == "ok":
                finished = True
                return value
            else:
                finished = True
                raise value
    finally:
        receive.close()
        if not finished and child.is_alive():
            child.kill()  # interrupted here: the child's work is no longer wanted
        child.join()


def _child(send: Any, parent: int, fn: Callable[..., Any], args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def tick(n: int) -> None:
        if os.getppid() != parent:
            os._exit(1)  # orphaned: whoever wanted this result is gone
        send.send(("tick", n))

    try:
        message: tuple[str, Any] = ("ok", fn(*args, tick))
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
        message = ("error", exc)
    try:
        send.send(message)
    except Exception as exc:  # noqa: BLE001 - an exception that does not pickle still reports its text
        send.send(("error", RuntimeError(f"{type(message[1]).__name__}: {message[1]}" if message[0] == "error" else f"unpicklable result: {exc}")))
    send.close()
