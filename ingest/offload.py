"""Run one function in a child process, so that it uses the second core while this one works.

Ingest reads and renders the PDF (pypdf, pypdfium2, PNG encoding) while it imports the embedding
model. In threads both hold the GIL for most of their time and take turns on one core; in two
processes they run side by side.

The child is a fresh ``python -c`` that imports only this module and ``fn``'s (not
``multiprocessing``'s spawn, which re-runs the parent's ``__main__`` script in the child, and
never ``fork``: the parent may be importing torch in another thread, whose locks a forked child
would inherit half-held). Calls and answers travel pickled over its stdin and stdout. It ignores
Ctrl-C (the parent owns the interrupt and kills it), and it stops by itself at the next tick when
its parent has died (SIGKILL, OOM), so no orphan keeps writing into a half-built index.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO, Callable

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])


class ChildFailed(RuntimeError):
    """The child could not be started or died without an answer (not: the function raised)."""


class ChildDied(ChildFailed):
    """The child started and then died without an answer: killed, out of memory under its cap, or a
    crash in native code. Its work must not be redone in the parent, whose memory is not capped."""

    def __init__(self, message: str, returncode: int | None) -> None:
        super().__init__(message)
        self.returncode = returncode


Tick = Callable[[Any], None]


def call_in_child(fn: Callable[..., Any], args: tuple, on_tick: Tick, *, memory_limit: int | None = None) -> Any:
    """``fn(*args, tick)`` in a child process; its ``tick(x)`` calls reach ``on_tick(x)`` here.

    Returns what ``fn`` returned and re-raises what it raised. ``fn``, its arguments, result,
    ticks and exceptions must pickle; ``fn`` must be importable by name (a module-level function).
    ``memory_limit`` (bytes) caps the child's address space (RLIMIT_AS) before ``fn``'s module is
    even imported: past it Python raises MemoryError and native code (pdfium) aborts, which
    raises ChildDied here.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)}
    try:
        request = pickle.dumps((os.getpid(), memory_limit)) + pickle.dumps((fn, args))
        child = subprocess.Popen(
            [sys.executable, "-c", "from ingest.offload import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
    except Exception as exc:  # noqa: BLE001 - e.g. a process limit: the caller works in-process
        raise ChildFailed(f"cannot start a worker process ({type(exc).__name__}: {exc})") from exc
    finished = False
    try:
        try:
            child.stdin.write(request)  # type: ignore[union-attr]
            child.stdin.close()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass  # it died at once; reading its answer below says so
        while True:
            try:
                kind, value = pickle.load(child.stdout)  # type: ignore[arg-type]
            except (EOFError, pickle.UnpicklingError):
                child.wait()
                raise ChildDied(f"the worker process died (exit code {child.returncode})", child.returncode) from None
            if kind == "tick":
                on_tick(value)
                continue
            finished = True
            if kind == "ok":
                return value
            raise value
    finally:
        if not finished:
            child.kill()  # interrupted here, or it died: its work is no longer wanted
        child.stdout.close()  # type: ignore[union-attr]
        child.wait()


def _serve() -> None:
    """The child's side: read one pickled call from stdin, answer on what was stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers: BinaryIO = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints of any library go to stderr, never into the answer stream
    sys.stdout = sys.stderr
    parent, memory_limit = pickle.load(sys.stdin.buffer)
    if memory_limit:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    fn, args = pickle.load(sys.stdin.buffer)  # imports fn's module: already under the cap

    def send(message: tuple[str, Any]) -> None:
        pickle.dump(message, answers)
        answers.flush()

    def tick(n: Any) -> None:
        if os.getppid() != parent:
            os._exit(1)  # orphaned: whoever wanted this result is gone
        send(("tick", n))

    try:
        message: tuple[str, Any] = ("ok", fn(*args, tick))
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it
        message = ("error", exc)
    try:
        send(message)
    except Exception as exc:  # noqa: BLE001 - an exception that does not pickle still reports its text
        what = message[1]
        send(
            (
                "error",
                RuntimeError(
                    f"{type(what).__name__}: {what}" if message[0] == "error" else f"unpicklable result: {exc}"
                ),
            )
        )
    answers.close()
