"""Load test of a class on one database: N app replicas x concurrent students searching and grading.

    python -m benchmarks.pg_load --database URL --replicas 2 --clients 20 --requests 20

Run from the repository root, against a database that holds an ingested deck with its bank. Starts
``--replicas`` ``python app.py --database URL --auth-header X-Remote-User`` processes on 127.0.0.1
(nothing leaves this computer), then ``--clients`` threads, each a student (``load-NN``) on replica
``i % replicas`` with its own lean client (``benchmarks/gradio_http.py``, one keep-alive connection,
the header on every request). Each request is a search (``/search``, the Search box) or, one in
``--grade-every``, a grade (``/study_next`` then ``/study_grade``), so the replicas read and write
the same database at once. After a search the student fetches the card images it has not fetched
before, as a browser with its cache does (timed as "card image"). By default a student sends the next request as soon as the last is
answered (a closed loop); ``--think S`` pauses between one student's requests for an exponentially
distributed time of mean S seconds (seeded per student). Bounded: ``--requests`` per client and
``--time-limit`` seconds in all; what did not run is reported. The students' rows are removed at the end.

Printed: a header line (replicas, students, closed loop or think time, wall time, requests per
second, not run), then per kind (search, grade, card image): answered, errors, p50 / p95 / max latency.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time

from benchmarks.gradio_http import GradioHTTP, fetch_new_images
from benchmarks.load import Outcome, free_port, pauses, percentile, query_pool, start_app, stop_app, think_words

HEADER = "X-Remote-User"


def run(
    urls: list[str],
    queries: list[str],
    clients: int,
    per_client: int,
    grade_every: int,
    limit: float,
    think: float = 0.0,
) -> tuple[dict[str, Outcome], int, float]:
    """Every student's requests; the outcomes per kind, the count not run, and the seconds it took."""
    outcomes = {"search": Outcome(), "grade": Outcome(), "card image": Outcome()}
    not_run = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + limit

    def student(i: int) -> None:
        rng = random.Random(i)
        pause = pauses(think, 0, i)
        seen: set[str] = set()  # this student's browser cache
        done = 0
        with GradioHTTP(urls[i % len(urls)], headers={HEADER: f"load-{i:02d}"}) as client:
            while done < per_client and time.monotonic() < deadline:
                if (wait := pause()) > 0:
                    time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
                    if time.monotonic() >= deadline:
                        break
                kind = "grade" if grade_every and rng.randrange(grade_every) == 0 else "search"
                started = time.perf_counter()
                try:
                    left = max(0.1, deadline - time.monotonic())
                    if kind == "search":
                        cards = client.call("search", rng.choice(queries), timeout=left)[0]
                        if "sb-" not in cards:
                            raise ValueError(f"unexpected answer {cards[:80]!r}")
                    else:
                        card = client.call("study_next", timeout=left)[0]
                        if card["id"] is not None:
                            grade = rng.choice(("again", "hard", "good", "easy"))
                            left = max(0.1, deadline - time.monotonic())
                            client.call("study_grade", card["id"], grade, timeout=left)
                    outcomes[kind].add(time.perf_counter() - started)
                    if kind == "search":  # then the page fetches the cards it has not cached
                        kind = "card image"
                        for took in fetch_new_images(client, cards, seen, max(0.1, deadline - time.monotonic())):
                            outcomes[kind].add(took)
                except Exception as exc:  # noqa: BLE001 - counted as an error of this kind
                    outcomes[kind].add(None, f"{type(exc).__name__}: {str(exc)[:160]}")
                done += 1
        with lock:
            not_run[0] += per_client - done

    threads = [threading.Thread(target=student, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 10)
    return outcomes, not_run[0], time.perf_counter() - started


def cleanup(url: str, clients: int) -> None:
    from psycopg import sql

    from index.pg.connect import connect

    names = [f"load-{i:02d}" for i in range(clients)]
    conn = connect(url)
    try:
        with conn.transaction():
            for table in ("slidebank_study_reviews", "slidebank_study_cards"):
                conn.execute(sql.SQL("DELETE FROM {} WHERE username = ANY(%s)").format(sql.Identifier(table)), (names,))
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, metavar="URL")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="per client (default: %(default)s)")
    parser.add_argument("--grade-every", type=int, default=5, help="one request in N is a grade (0: none)")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="mean of an exponential pause between one student's requests (default: 0, a closed loop)",
    )
    args = parser.parse_args(argv)
    if not (
        1 <= args.replicas <= 8
        and 1 <= args.clients <= 200
        and 1 <= args.requests <= 1000
        and 0 < args.time_limit <= 3600
        and 0 <= args.think <= 600
    ):
        print(
            "error: --replicas 1..8, --clients 1..200, --requests 1..1000, --time-limit 0..3600 s, --think 0..600 s",
            file=sys.stderr,
        )
        return 2
    from index.pg.connect import redact

    queries = query_pool(None)
    procs = []
    try:
        for _ in range(args.replicas):
            port = free_port()
            proc = start_app(None, None, port, 240.0, ("--database", args.database, "--auth-header", HEADER))
            procs.append((proc, f"http://127.0.0.1:{port}/"))
        outcomes, not_run, elapsed = run(
            [u for _, u in procs],
            queries,
            args.clients,
            args.requests,
            args.grade_every,
            args.time_limit,
            args.think,
        )
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        for proc, _ in procs:
            stop_app(proc)
        cleanup(args.database, args.clients)
    answered = len(outcomes["search"].latencies) + len(outcomes["grade"].latencies)
    print(
        f"{redact(args.database)}: {args.replicas} replicas, {args.clients} students x {args.requests} requests"
        f" (one in {args.grade_every} a grade), {think_words(args.think)}, {elapsed:.1f} s, {answered / elapsed:.1f} requests/s, {not_run} not run"
    )
    print("| kind | answered | errors | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind, o in outcomes.items():
        lat = o.latencies
        print(
            f"| {kind} | {len(lat)} | {len(o.errors)} | {percentile(lat, 0.5) * 1000:.0f} | "
            f"{percentile(lat, 0.95) * 1000:.0f} | {max(lat, default=float('nan')) * 1000:.0f} |"
        )
        for message in o.errors[:3]:
            print(f"error sample ({kind}): {message}", file=sys.stderr)
    return 1 if any(o.errors for o in outcomes.values()) or not_run else 0


if __name__ == "__main__":
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    sys.exit(main())
