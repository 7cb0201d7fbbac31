"""Turning a ``Result`` into what people and scripts read. Pure functions shared by CLI and web app."""

from __future__ import annotations

from typing import Sequence

from assistant.retrieval.retriever import Result, SlideHit
from assistant.slide_text import bullets
from index.lexical import tokenize
from index.records import Slide
from index.terminal import safe

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


def result_to_json(result: Result) -> dict:
    return {
        "query": result.query,
        "slides": [
            {
                "number": h.slide.number,
                "deck": h.slide.deck,
                "page": h.slide.page,
                "title": h.slide.title,
                "score": round(h.score, 6),
                "snippet": snippet(h.slide, result.query),
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
    out: list[str] = []
    if result.slides:
        out.append("Slides")
        for group in group_ranges(result.slides):
            first, last = group[0].slide, group[-1].slide
            pages = f"p.{first.page}" if len(group) == 1 else f"p.{first.page}\u2013{last.page}"
            out.append(f"  \u25b8 {range_label(group)}  ({safe(first.deck)} {pages})")
            for hit in group:
                s = hit.slide
                out.append(f"    {s.number:>4}  {safe(s.title or '(untitled)')}   [{hit.score:.3f}]")
                out.append(f"          {safe(snippet(s, result.query))}")
    if result.bank:
        if out:
            out.append("")
        out.append("Matching bank questions")
        for b in result.bank:
            q = b.question
            out.append(f"  \u2022 {safe(q.text)}")
            out.append(f"      {safe(q.section)} \u00b7 {format_refs(q.refs)}   [{b.score:.3f}]")
    return "\n".join(out)
