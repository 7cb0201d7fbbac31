"""The answer part of ``python -m assistant.query --answer`` / ``--llm``: print, stream, or JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from assistant.answer.confidence import calibrate, query_confidence
from assistant.answer.generate import stream_answers
from assistant.retrieval.retriever import Result, Retriever
from assistant.ui.terminal import format_text, result_to_json
from index.errors import SlidebankError
from index.terminal import safe


def print_answer(retriever: Retriever, result: Result, llm: str | None, as_json: bool) -> int:
    """Slides and bank matches as usual, then the answer (streamed to the terminal for an LLM)."""
    backend = "llm" if llm else "extractive"
    if llm:
        from assistant.answer.llm import resolve

        try:
            resolve(llm)  # a wrong path is an error even when this query would abstain
        except SlidebankError as exc:
            print(f"error: {safe(exc)}", file=sys.stderr)
            return 2
    threshold = calibrate(retriever)
    confidence = query_confidence(retriever, result.query)
    if not as_json:
        print(format_text(result))
        print("\nAnswer")
    shown = ""
    final = None
    try:
        for final in stream_answers(result, backend, confidence=confidence, threshold=threshold, model=llm):
            if not as_json and final.reason == "draft" and final.text.startswith(shown):
                sys.stdout.write(safe(final.text[len(shown) :], lines=True))  # a model's output is not trusted either
                sys.stdout.flush()
                shown = final.text
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    assert final is not None
    if final.dropped:
        print(f"note: removed {final.dropped} citation(s) of slides that were not provided", file=sys.stderr)
    if as_json:
        out = result_to_json(result)
        out["answer"] = {
            **asdict(final),
            "citations": list(final.citations),
            "confidence": confidence,
            "threshold": threshold,
        }
        print(json.dumps(out, ensure_ascii=False))
    elif shown != final.text:
        # The streamed draft failed the check (or nothing was streamed): show what passed it.
        print(("\n\nchecked: " if shown else "") + safe(final.text, lines=True))
    else:
        print()
    return 0
