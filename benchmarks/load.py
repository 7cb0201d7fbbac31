"""Load test of the web app: many concurrent clients searching through its REST API, on loopback.

    python -m benchmarks.load                          # 20 clients x 50 queries on data/index
    python -m benchmarks.load --clients 4 --queries 5 --index my/index --bank my/bank.md
    python -m benchmarks.load --think 5                # a pause of 5 s on average between searches

Run from the repository root (``benchmarks`` is a folder of the checkout, not installed); slidebank
itself is imported from the installed package, as a user has it.

Starts ``python app.py`` as a child process on 127.0.0.1 and a free port (nothing leaves this
computer), waits for it, then runs ``--clients`` threads, each with its own lean client
(``benchmarks/gradio_http.py``, one keep-alive connection; ``gradio_client`` cost so much CPU per
request in this process that the load generator was the bottleneck), asking ``--queries``
searches through the ``/search`` endpoint, the one the page's Search box calls. By default a
client sends its next search as soon as the last is answered (a closed loop); ``--think S``
pauses between one client's searches for an exponentially distributed time of mean S seconds
(seeded per client), as a student reading the results. Queries are the bank's question texts
(its slide references are never sent) and a few free-form ones, drawn by a seeded generator. After each search the client
fetches the card images it has not fetched before, as a browser with its cache does (timed apart).
Everything is bounded: the count of requests, and ``--time-limit`` seconds in all, after which
the remaining requests are reported as not run and the app is stopped.

Printed: a line with the load's shape (closed loop or think time), then requests, errors, not
run, p50 / p95 / max latency per request, requests per second, and the app process's resident
memory when ready, after the first tenth of the requests (warm), at its peak (sampled every
0.2 s), after each ``--rounds`` repeat of the whole load (a plateau, not a climb, is what stable
means) and at the end. Exit status 1 when any request failed or did not run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.gradio_http import GradioHTTP, fetch_new_images

ROOT = Path(__file__).resolve().parents[1]

FREE_FORM = (
    "why is the learning rate important",
    "explain self attention",
    "what does dropout do",
    "classifier-free guidance trade-off",
    "k means clustering",
    "overfitting vs underfitting",
    "Wie funktioniert Backpropagation?",
    "variational autoencoder ELBO",
)


@dataclass
class Outcome:
    """What the clients saw: one latency per answered request, one message per failed one."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_run: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float | None, error: str | None = None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(latency or 0.0)
            else:
                self.errors.append(error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def query_pool(bank_path: Path | None) -> list[str]:
    """The bank's question texts (no references) and the free-form queries; an unreadable bank raises ``InputError``."""
    from assistant.bank.parse import load_bank

    return [q.text for q in load_bank(bank_path) if q.text.strip()] + list(FREE_FORM)


def start_app(
    index: Path | None, bank: Path | None, port: int, timeout: float = 180.0, options: tuple[str, ...] = ()
) -> subprocess.Popen:
    """``python app.py`` on 127.0.0.1:``port``; returns once it answers HTTP, raises if it dies or stalls."""
    import httpx

    command = [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port), *options]
    if index is not None:
        command += ["--index", str(index)]
    if bank is not None:
        command += ["--bank", str(bank)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = proc.stderr.read() if proc.stderr else ""
            raise RuntimeError(f"the app exited with {proc.returncode}: {said.strip()[-500:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"the app did not answer within {timeout:.0f} s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def pauses(mean: float, seed: int, client: int) -> Callable[[], float]:
    """Seconds to wait before each of a client's requests, the first too (students arrive apart, not
    all in the same millisecond): exponential with ``mean`` (0: none, a closed loop).

    Seeded per client and apart from the queries' generator, so that the same seed asks the same
    queries whatever the think time."""
    if mean <= 0:
        return lambda: 0.0
    rng = random.Random(f"think {seed} {client}")
    return lambda: rng.expovariate(1.0 / mean)


def think_words(mean: float) -> str:
    """The load's shape for a header line."""
    if mean <= 0:
        return "closed loop (each client sends its next request as soon as the last is answered)"
    return f"think time exponential, mean {mean:g} s before each of a client's requests"


def run_clients(
    url: str,
    queries: list[str],
    clients: int,
    per_client: int,
    time_limit: float,
    seed: int = 0,
    on_progress: Callable[[], None] | None = None,
    think: float = 0.0,
    images: Outcome | None = None,
) -> Outcome:
    """``clients`` threads x ``per_client`` searches against ``url``; stops at ``time_limit`` seconds.
    ``images``: also fetch each client's not yet seen card images, as a browser does, timed there."""
    outcome = Outcome()
    deadline = time.monotonic() + time_limit

    def client_loop(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        pause = pauses(think, seed, i)
        seen: set[str] = set()  # this client's browser cache
        done = 0
        with GradioHTTP(url) as client:
            while done < per_client:
                if (wait := pause()) > 0:
                    time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                query = rng.choice(queries)
                start = time.perf_counter()
                try:
                    cards = client.call("search", query, timeout=remaining)[0]
                    if "sb-" not in cards:  # every answer, even "no slide matches", is one of the view's blocks
                        raise ValueError(f"unexpected answer {cards[:80]!r}")
                    outcome.add(time.perf_counter() - start)
                except Exception as exc:
                    outcome.add(None, f"{type(exc).__name__}: {str(exc)[:200]}")
                    cards = ""
                if images is not None:  # the page then fetches the cards it has not cached
                    try:
                        for took in fetch_new_images(client, cards, seen, max(0.1, deadline - time.monotonic())):
                            images.add(took)
                    except Exception as exc:
                        images.add(None, f"card image: {type(exc).__name__}: {str(exc)[:200]}")
                done += 1
                if on_progress is not None:
                    on_progress()
        with outcome.lock:
            outcome.not_run += per_client - done

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
    return outcome


class RssSampler(threading.Thread):
    """Resident memory of one process, sampled every ``every`` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.every = every
        self.peak = self.now()
        self._stop_event = threading.Event()

    def now(self) -> int:
        return self.process.memory_info().rss

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            try:
                self.peak = max(self.peak, self.now())
            except Exception:
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--index", type=Path, default=None, help="index folder (default: the app's default, data/index)"
    )
    parser.add_argument("--bank", type=Path, default=None, help="question bank (default: data/question_bank.md)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=50, help="searches per client (default: %(default)s)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat the whole load this often on the same app, memory printed after each (default: %(default)s)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="seconds for all requests of all rounds (default: %(default)s)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="mean of an exponential pause between one client's searches (default: 0, a closed loop)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not (
        1 <= args.clients <= 200
        and 1 <= args.queries <= 10_000
        and 1 <= args.rounds <= 20
        and 0 < args.time_limit <= 3600
        and 0 <= args.think <= 600
    ):
        print(
            "error: --clients 1..200, --queries 1..10000, --rounds 1..20, --time-limit 0..3600 s, --think 0..600 s",
            file=sys.stderr,
        )
        return 2

    from index.errors import InputError

    try:
        queries = query_pool(args.bank)
    except InputError as exc:  # a load test without the bank's questions would measure something else
        print(f"error: {exc}", file=sys.stderr)
        return 2
    port = free_port()
    print(f"starting the app on 127.0.0.1:{port} ...", file=sys.stderr, flush=True)
    try:
        proc = start_app(args.index, args.bank, port)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        sampler = RssSampler(proc.pid)
        rss_ready = sampler.now()
        sampler.start()
        total = args.clients * args.queries
        warm_at = max(1, total * args.rounds // 10)
        counted = [0]
        rss_warm = [rss_ready]
        count_lock = threading.Lock()

        def progress() -> None:
            with count_lock:
                counted[0] += 1
                if counted[0] == warm_at:
                    rss_warm[0] = sampler.now()
                if counted[0] % 100 == 0:
                    print(f"  {counted[0]}/{total * args.rounds} requests", file=sys.stderr, flush=True)

        started = time.perf_counter()
        outcome = Outcome()
        images = Outcome()
        rss_rounds: list[int] = []
        for round_no in range(args.rounds):
            left = args.time_limit - (time.perf_counter() - started)
            if left <= 0:
                outcome.not_run += total
                continue
            part = run_clients(
                f"http://127.0.0.1:{port}/",
                queries,
                args.clients,
                args.queries,
                left,
                args.seed + round_no,
                progress,
                args.think,
                images,
            )
            outcome.latencies += part.latencies
            outcome.errors += part.errors
            outcome.not_run += part.not_run
            rss_rounds.append(sampler.now())
        elapsed = time.perf_counter() - started
        rss_end = sampler.now()
        sampler.stop()
    finally:
        stop_app(proc)

    mb = 1024 * 1024
    lat = outcome.latencies
    rows = [
        ("clients x queries x rounds", f"{args.clients} x {args.queries} x {args.rounds} = {total * args.rounds}"),
        ("distinct queries in the pool", f"{len(queries)}"),
        ("answered", f"{len(lat)}"),
        ("errors", f"{len(outcome.errors)}"),
        ("not run (time limit)", f"{outcome.not_run}"),
        (
            "latency p50 / p95 / max",
            f"{percentile(lat, 0.5) * 1000:.0f} / {percentile(lat, 0.95) * 1000:.0f} / {max(lat, default=float('nan')) * 1000:.0f} ms",
        ),
        ("mean latency", f"{statistics.fmean(lat) * 1000:.0f} ms" if lat else "n/a"),
        (
            "card images fetched (first view per client): n, p50 / p95",
            f"{len(images.latencies)}, {percentile(images.latencies, 0.5) * 1000:.0f}"
            f" / {percentile(images.latencies, 0.95) * 1000:.0f} ms, {len(images.errors)} errors",
        ),
        ("wall time", f"{elapsed:.1f} s"),
        ("requests/s", f"{len(lat) / elapsed:.1f}"),
        (
            "app RSS ready / warm / peak / end",
            f"{rss_ready / mb:.0f} / {rss_warm[0] / mb:.0f} / {sampler.peak / mb:.0f} / {rss_end / mb:.0f} MB",
        ),
        ("app RSS after each round", " / ".join(f"{r / mb:.0f}" for r in rss_rounds) + " MB"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{args.clients} clients searching, {think_words(args.think)}\n")
    print(f"| {'measure'.ljust(width)} | value |\n| {'-' * width} | --- |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    for message in (outcome.errors + images.errors)[:5]:
        print(f"error sample: {message}", file=sys.stderr)
    return 1 if outcome.errors or images.errors or outcome.not_run else 0


if __name__ == "__main__":
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    sys.exit(main())
