"""Turning a ``Result`` and an answer into what people and scripts read: text and JSON, shared by
the CLI and the web app (the answer's printing is the terminal's alone)."""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import TYPE_CHECKING, Sequence

from assistant.retrieval.grouping import SlideGroup
from assistant.retrieval.results import WEAK_NOTICE, GroupedResult
from assistant.retrieval.retriever import Result, Retriever, SlideHit
from assistant.retrieval.terms import never_mentioned
from assistant.slide_text import bullets
from index.errors import SlidebankError
from index.lexical import tokenize
from index.records import Slide
from index.symbols import latex_to_unicode
from index.terminal import safe

if TYPE_CHECKING:  # the answer modules load only when an answer is asked for (the query's fast path)
    from assistant.answer.answerer import Answerer, AnswerSettings
    from assistant.answer.citations import Answer

SNIPPET_CHARS = 160


def group_ranges(hits: Sequence[SlideHit]) -> list[list[SlideHit]]:
    """Neighbouring slide numbers (e.g. 195 and 196) form one group, kept in slide order.

    Groups are ordered by their best hit, so the most relevant range comes first.
    """
    by_number = sorted(hits, key=lambda h: h.slide.number)
    groups: list[list[SlideHit]] = []
    for hit in by_number:
        last = groups[-1][-1].slide if groups else None
        if last is not None and hit.slide.number == last.number + 1 and hit.slide.deck == last.deck:
            groups[-1].append(hit)
        else:
            groups.append([hit])
    rank = {id(h): i for i, h in enumerate(hits)}
    return sorted(groups, key=lambda g: min(rank[id(h)] for h in g))


def range_label(group: Sequence[SlideHit]) -> str:
    first, last = group[0].slide, group[-1].slide
    return str(first.number) if first.number == last.number else f"{first.number}\u2013{last.number}"


def snippet(slide: Slide, query: str, limit: int = SNIPPET_CHARS) -> str:
    """The slide's bullets that share the most words with the query, in slide order, shortened."""
    if slide.image_only:
        return "(image-only slide: no text)"
    lines = bullets(slide) or [slide.title]
    wanted = set(tokenize(query))
    scored = sorted(range(len(lines)), key=lambda i: (-len(wanted & set(tokenize(lines[i]))), i))
    picked: list[int] = []
    length = 0
    for i in scored:
        if length and length + len(lines[i]) > limit:
            break
        picked.append(i)
        length += len(lines[i]) + 3
    # "..." rather than "\u2026": what is shown is normalised like what is indexed (index/text.py).
    text = " ... ".join(lines[i] for i in sorted(picked))
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def reading_notes(result: Result) -> list[str]:
    """What the search made of the query, for the terminal and the app alike: the corrected text it
    searched for, and the key terms no slide mentions. Plain text (each view escapes it its way)."""
    out = [f"searched for: {result.corrected}"] if result.corrected is not None else []
    if result.unknown:
        out.append(never_mentioned(result.unknown))
    return out


def reading_lines(result: Result) -> list[str]:
    return [safe(line) for line in reading_notes(result)]


def result_to_json(result: Result) -> dict:
    """``corrected``: the query as searched when typos were corrected (else null); ``unknown_terms``:
    key terms of the query that no slide mentions."""
    return {
        "query": result.query,
        "corrected": result.corrected,
        "unknown_terms": list(result.unknown),
        "slides": [
            {
                "number": h.slide.number,
                "deck": h.slide.deck,
                "page": h.slide.page,
                "title": h.slide.title,
                "score": round(h.score, 6),
                "snippet": snippet(h.slide, result.searched),
            }
            for h in result.slides
        ],
        "bank": [
            {
                "id": b.question.id,
                "section": b.question.section,
                "text": b.question.text,
                "refs": list(b.question.refs),
                "score": round(b.score, 6),
            }
            for b in result.bank
        ],
    }


def format_refs(refs: Sequence[int]) -> str:
    """(63, 64, 65, 70) → "63–65, 70"."""
    if not refs:
        return "no slides cited"
    parts: list[str] = []
    ordered = sorted(set(refs))
    start = prev = ordered[0]
    following: list[int | None] = [*ordered[1:], None]
    for n in following:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}\u2013{prev}")
        if n is not None:
            start = prev = n
    return "slides " + ", ".join(parts)


def format_text(result: Result) -> str:
    """The terminal rendering. Every string from a deck, the bank or the user passes through
    ``safe``: one field, one line, no escape sequences (``result_to_json`` stays exact)."""
    out: list[str] = reading_lines(result)
    if result.slides:
        out.append("Slides")
        for group in group_ranges(result.slides):
            first, last = group[0].slide, group[-1].slide
            pages = f"p.{first.page}" if len(group) == 1 else f"p.{first.page}\u2013{last.page}"
            out.append(f"  \u25b8 {range_label(group)}  ({safe(first.deck)} {pages})")
            for hit in group:
                s = hit.slide
                out.append(f"    {s.number:>4}  {safe(s.title or '(untitled)')}   [{hit.score:.3f}]")
                out.append(f"          {safe(snippet(s, result.searched))}")
    if result.bank:
        if out:
            out.append("")
        out.append("Matching bank questions")
        for b in result.bank:
            q = b.question
            out.append(f"  \u2022 {safe(latex_to_unicode(q.text))}")
            out.append(f"      {safe(q.section)} \u00b7 {format_refs(q.refs)}   [{b.score:.3f}]")
    return "\n".join(out)


# -- grouped results (``assistant.retrieval.results.grouped_search``) ----------------------------------


def grouped_to_json(grouped: GroupedResult) -> dict:
    """``result_to_json`` with each slide's ``group`` (its range id) and ``role`` ("hit", "context",
    "more"), ``groups`` in page order (best first) and ``weak``. The slides stay in rank order (by
    fused score, so ``slides[0]`` is still the best match); the default view adds the context slides.
    With an explicit ``-k``: exactly the ``k`` that were asked for.
    """
    out = result_to_json(grouped.result)
    placed = {s.number: s for g in grouped.groups for s in g.slides}
    if grouped.k is None:
        hits = [grouped.slides[n] for n in placed]
        hits.sort(key=lambda h: -h.score if math.isfinite(h.score) else math.inf)
        out["slides"] = [_slide_json(h, grouped.result.searched) for h in hits]
    for entry in out["slides"]:
        place = placed.get(entry["number"])
        entry["group"] = place.group if place else None
        entry["role"] = place.role if place else None
    out["groups"] = [{"id": g.id, "first": g.first, "last": g.last, "shown": g.role != "more"} for g in grouped.groups]
    out["weak"] = grouped.weak
    return out


def _slide_json(hit: SlideHit, query: str) -> dict:
    s = hit.slide
    score = round(hit.score, 6) if math.isfinite(hit.score) else None
    return {
        "number": s.number,
        "deck": s.deck,
        "page": s.page,
        "title": s.title,
        "score": score,
        "snippet": snippet(s, query),
    }


def _group_lines(grouped: GroupedResult, group: SlideGroup) -> list[str]:
    hits = grouped.hits(group)
    first, last = hits[0].slide, hits[-1].slide
    pages = f"p.{first.page}" if len(hits) == 1 else f"p.{first.page}\u2013{last.page}"
    label = f"Slide {first.number}" if len(hits) == 1 else f"Slides {first.number}\u2013{last.number}"
    out = [f"  \u25b8 {label}  ({safe(first.deck)} {pages})"]
    for hit, place in zip(hits, group.slides):
        s = hit.slide
        mark = "same topic" if place.role == "context" else f"{hit.score:.3f}"
        out.append(f"    {s.number:>4}  {safe(s.title or '(untitled)')}   [{mark}]")
        out.append(f"          {safe(snippet(s, grouped.result.searched))}")
    return out


def format_grouped(grouped: GroupedResult, show_all: bool = False) -> str:
    """The grouped view: a weak-match warning, the shown groups, the rest (with ``show_all``) or a
    line saying how many there are, then the bank matches. Deck and bank text pass through ``safe``."""
    out: list[str] = reading_lines(grouped.result)
    if grouped.weak and grouped.groups:
        out.append(WEAK_NOTICE)
    if grouped.shown_groups:
        out.append("Slides")
        for group in grouped.shown_groups:
            out.extend(_group_lines(grouped, group))
    more = grouped.more_groups
    if more and show_all:
        out.append("Other places this comes up")
        for group in more:
            out.extend(_group_lines(grouped, group))
    elif more:
        count = sum(len(g.slides) for g in more)
        out.append(f"  ({count} more slide{'s' if count != 1 else ''} further down: --all shows them)")
    bank = format_text(dataclasses.replace(grouped.result, slides=(), corrected=None, unknown=()))
    if bank:
        out.extend(["", bank] if out else [bank])
    return "\n".join(out)


# -- answers ------------------------------------------------------------------------------------


def answer_json(
    final: Answer | None, confidence: float | None = None, threshold: float | None = None, error: str | None = None
) -> dict | None:
    """The ``"answer"`` object of ``--answer --json`` and ``--answer --batch``."""
    if final is None:
        return None
    return {
        "text": final.text,
        "sentences": [{"text": s.text, "slides": list(s.slides), "supported": s.supported} for s in final.sentences],
        "abstained": final.abstained,
        "backend": final.backend,
        "reason": final.reason,
        "citations": list(final.citations),
        "dropped": final.dropped,
        "note": final.note,
        "confidence": confidence,
        "threshold": threshold,
    }


def answer_to_json(answerer: Answerer, result: Result) -> tuple[dict, str | None]:
    """The ``"answer"`` of one query as JSON (or None), and the error message (or None)."""
    confidence, steps = answerer.stream(result)
    final = None
    try:
        for step in steps:
            final = step  # every step is the answer so far; the last one is the answer
    except SlidebankError as exc:
        return {"answer": None, "answer_error": str(exc)}, str(exc)
    return {"answer": answer_json(final, confidence, answerer.threshold)}, None


def _notes(final: Answer) -> None:
    if final.note:
        print(f"note: {safe(final.note)}", file=sys.stderr)
    if final.dropped:
        print(
            f"note: removed {final.dropped} citation(s) of slides that were not given or do not support the sentence",
            file=sys.stderr,
        )
    if final.unsupported:
        print(f"note: left out {final.unsupported} sentence(s) that the given slides do not support", file=sys.stderr)


def print_answer(
    retriever: Retriever,
    result: Result,
    settings: AnswerSettings,
    as_json: bool,
    view: GroupedResult | None = None,
    show_all: bool = False,
) -> int:
    """Slides and bank matches as usual, then the answer to ``result`` (the ranked slides it draws on);
    a language model's sentence by checked sentence.

    ``view``: the search as shown without an answer (the grouped view, or exactly -k slides), so
    asking for an answer never changes the slide list; without it, ``result``'s slides.
    A failing backend is one ``error:`` line after the slides, which are shown regardless.
    """
    import json

    from assistant.answer.answerer import Answerer

    answerer = Answerer(retriever, settings)
    if as_json:
        out = grouped_to_json(view) if view is not None else result_to_json(result)
        extra, error = answer_to_json(answerer, result)
        out.update(extra)
        print(json.dumps(out, ensure_ascii=False))
        if error:
            print(f"error: {safe(error)}", file=sys.stderr)
            return 2
        if out["answer"] is not None:
            _notes_from_json(out["answer"])
        return 0
    if view is not None and view.k is None:
        print(format_grouped(view, show_all=show_all))
    else:
        print(format_text(view.result if view is not None else result))
    print("\nAnswer")
    sys.stdout.flush()
    shown = 0
    final: Answer | None = None
    try:
        _, steps = answerer.stream(result)
        for final in steps:
            if final.reason == "partial" or (not final.abstained and final.backend != "extractive"):
                # Only checked, supported sentences reach the screen: nothing shown is ever withdrawn.
                supported = [s for s in final.sentences if s.supported]
                for s in supported[shown:]:
                    # A model's output is not trusted either: one line, no escape sequences.
                    print(f"{safe(s.text)} " + " ".join(f"[slide {n}]" for n in s.slides), flush=True)
                shown = len(supported)
    except SlidebankError as exc:
        print(f"error: {safe(exc)}", file=sys.stderr)
        return 2
    assert final is not None
    if final.backend == "extractive" or final.abstained:
        print(safe(final.text, lines=True))
    _notes(final)
    return 0


def _notes_from_json(answer: dict) -> None:
    if answer["note"]:
        print(f"note: {safe(answer['note'])}", file=sys.stderr)
    if answer["dropped"]:
        print(
            f"note: removed {answer['dropped']} citation(s) of slides that were not given or do not support the sentence",
            file=sys.stderr,
        )
    unsupported = sum(not s["supported"] for s in answer["sentences"])
    if unsupported:
        print(f"note: left out {unsupported} sentence(s) that the given slides do not support", file=sys.stderr)
