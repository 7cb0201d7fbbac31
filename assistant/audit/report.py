"""The audit report for people: terminal text, markdown, and the data (and coverage strip) of the app's audit tab.

Pure formatting of an ``AuditReport`` (``findings.py``); ``audit_tab_data`` runs the audit when
it is not given one.
"""

from __future__ import annotations

import html
from typing import Callable, Sequence, TypedDict

from assistant.audit.drift import section_sentences
from assistant.audit.findings import FLAG_RANK, SUGGEST, AuditReport, Status, Suggestion, run_audit
from assistant.bank.parse import Question
from assistant.retrieval.retriever import Retriever
from index.symbols import latex_to_unicode


def _ranges(numbers: Sequence[int]) -> str:
    out: list[str] = []
    for n in sorted(set(numbers)):
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = out[-1].split("-")[0] + f"-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def _conf(s: Suggestion) -> str:
    return "n/a" if s.confidence is None else f"{s.confidence:.0%}"


def _suggestion_list(items: Sequence[Suggestion], cited: Sequence[int] = ()) -> str:
    return "; ".join(
        f"{s.slide} {s.title[:40]} ({_conf(s)}{', the cited slide' if s.slide in cited else ''})" for s in items
    )


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- the report's wording, once: the text and the Markdown renderers only lay it out ---------------

SUGGESTIONS_NOTE = (
    "SUGGESTIONS, not references; confidence: how often a suggestion of that rank was a cited slide "
    "when the cited questions were treated as uncited (leave-one-out)"
)
NO_DRIFT = "none found: the references agree with the deck's numbering"


def headline(report: AuditReport) -> str:
    return f"{len(report.checks)} questions cite slides, {len(report.suggested)} cite nothing"


def flags_title(report: AuditReport) -> str:
    return f"Check these references ({len(report.flagged)}): none of the cited slides is in retrieval's top {FLAG_RANK}"


def suggestions_title(report: AuditReport) -> str:
    return f"Suggested slides for questions that cite nothing ({len(report.suggested)})"


COVERAGE_TITLE = "Coverage: slides no question cites or is suggested for"
DRIFT_TITLE = "Deck drift"


def flag_rows(report: AuditReport) -> list[tuple[Question, str, str]]:
    """Per flagged question: the question, its cited slides with their ranks, the slides suggested instead."""
    rows = []
    for c in report.flagged:
        cites = ", ".join(f"{n} (rank {r if r is not None else '-'})" for n, r in c.ranks)
        rows.append((c.question, cites, _suggestion_list(c.proposed, c.question.refs)))
    return rows


def suggestion_rows(report: AuditReport) -> list[tuple[Question, str]]:
    return [(s.question, _suggestion_list(s.suggestions)) for s in report.suggested]


def drift_lines(report: AuditReport, bank: Sequence[Question]) -> tuple[list[str], list[str]]:
    """The drift stretches, and what they mean per bank section."""
    return [s.sentence() for s in report.drift], section_sentences(report.drift, bank)


def coverage_rows(report: AuditReport) -> list[tuple[str, str, str, str]]:
    """Per lecture: its name, its slide range, "N of M uncovered", the uncovered ranges (or "none")."""
    rows = []
    for lec in report.coverage:
        total = lec.last - lec.first + 1
        gaps = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in lec.gaps) or "none"
        rows.append((lec.deck, f"{lec.first}-{lec.last}", f"{lec.uncovered} of {total} uncovered", gaps))
    return rows


def quality(report: AuditReport) -> str | None:
    if report.suggestion_hit is None:
        return None
    return (
        f"Suggestion quality: a cited slide among the top {SUGGEST} suggestions for "
        f"{report.suggestion_hit:.1%} of the cited questions treated as uncited"
    )


def format_text(report: AuditReport, bank: Sequence[Question]) -> str:
    """The CLI's report: flags, suggestions, drift, coverage gaps."""
    lines = [f"Bank audit: {headline(report)} ({report.seconds:.1f} s)", "", flags_title(report)]
    for c, (q, cites, instead) in zip(report.flagged, flag_rows(report)):
        lines.append(f"  ! {_short(latex_to_unicode(q.text))}  [{q.section}, line {q.line}]")
        lines.append(f"      cites {cites}; suggested instead: {instead}")
        if c.drift:
            lines.append(
                f"      inside a drift stretch ({c.drift:+d}): shifted reference ranks {c.shifted_rank or '-'}"
            )
    if not report.flagged:
        lines.append("  (none)")
    lines += ["", suggestions_title(report), f"  ({SUGGESTIONS_NOTE})"]
    for q, suggested in suggestion_rows(report):
        lines.append(f"  ? {_short(latex_to_unicode(q.text))}  [{q.section}]")
        lines.append(f"      suggested: {suggested}")
    stretches, meanings = drift_lines(report, bank)
    lines += ["", DRIFT_TITLE]
    lines += [f"  ~ {s}" for s in stretches] + [f"      {m}" for m in meanings] if stretches else [f"  {NO_DRIFT}"]
    lines += ["", COVERAGE_TITLE]
    lines += [f"  {deck} ({span}): {uncovered}: {gaps}" for deck, span, uncovered, gaps in coverage_rows(report)]
    if quality(report) is not None:
        lines += ["", f"{quality(report)}."]
    return "\n".join(lines)


def format_markdown(report: AuditReport, bank: Sequence[Question]) -> str:
    esc = lambda t: t.replace("|", "\\|")  # noqa: E731
    out = ["# Bank audit", "", f"{headline(report)}.", "", f"## {flags_title(report)}", ""]
    if report.flagged:
        out += ["| question | section | cites | suggested instead |", "| --- | --- | --- | --- |"]
        out += [
            f"| {esc(q.text)} | {esc(q.section)} | {cites} | {esc(instead)} |"
            for q, cites, instead in flag_rows(report)
        ]
    else:
        out.append("(none)")
    out += ["", f"## {suggestions_title(report)}", "", f"_{SUGGESTIONS_NOTE}._", ""]
    out += ["| question | section | suggested (confidence) |", "| --- | --- | --- |"]
    out += [f"| {esc(q.text)} | {esc(q.section)} | _suggested:_ {esc(sug)} |" for q, sug in suggestion_rows(report)]
    stretches, meanings = drift_lines(report, bank)
    out += ["", f"## {DRIFT_TITLE}", ""]
    out += (
        [f"- {s}" for s in stretches] + [f"  - {m}" for m in meanings]
        if stretches
        else [NO_DRIFT[0].upper() + NO_DRIFT[1:] + "."]
    )
    out += [
        "",
        f"## {COVERAGE_TITLE}",
        "",
        "| lecture | slides | uncovered | uncovered ranges |",
        "| --- | --- | --- | --- |",
    ]
    out += [f"| {esc(deck)} | {span} | {uncovered} | {gaps} |" for deck, span, uncovered, gaps in coverage_rows(report)]
    if quality(report) is not None:
        out += ["", f"{quality(report)}."]
    return "\n".join(out) + "\n"


# -- for the web app ----------------------------------------------------------------------------

STATUS_COLOURS = {"cited": "#2e7d32", "suggested": "#f9a825", "none": "#c62828"}


class SlideTab(TypedDict):
    number: int
    title: str
    status: Status  # "cited", "suggested" or "none"
    thumbnail: str | None  # the thumbnail's file path, None when the slide has none


class LectureTab(TypedDict):
    deck: str
    first: int
    last: int
    gaps: list[list[int]]  # inclusive [first, last] slide ranges nothing cites or suggests
    slides: list[SlideTab]


class AuditTab(TypedDict):
    summary: str
    flags: list[list[str]]  # [question, section, cites, suggested]
    suggestions: list[list[str]]  # [question, section, suggested]
    drift: list[str]
    coverage: list[LectureTab]
    markdown: str


def audit_tab_data(retriever: Retriever, report: AuditReport | None = None) -> AuditTab:
    """Plain data for an audit tab (rows for tables, sentences, slide numbers as ints). Runs the audit unless ``report`` is given."""
    if report is None:
        report = run_audit(retriever)
    index = retriever.index
    assert index is not None
    bank = list(retriever.bank)
    lectures: list[LectureTab] = []
    for lec in report.coverage:
        slides: list[SlideTab] = []
        for number, status in zip(range(lec.first, lec.last + 1), lec.status):
            thumb = index.thumbnail(number)
            slides.append(
                {
                    "number": number,
                    "title": index.slide(number).title,
                    "status": status,
                    "thumbnail": str(thumb) if thumb else None,
                }
            )
        lectures.append(
            {
                "deck": lec.deck,
                "first": lec.first,
                "last": lec.last,
                "gaps": [list(g) for g in lec.gaps],
                "slides": slides,
            }
        )
    return {
        "summary": f"{headline(report)} ({len(report.flagged)} to check).",
        "flags": [
            [
                c.question.text,
                c.question.section,
                _ranges([n for n, _ in c.ranks]),
                "suggested: " + _suggestion_list(c.proposed, c.question.refs),
            ]
            for c in report.flagged
        ],
        "suggestions": [
            [s.question.text, s.question.section, "suggested: " + _suggestion_list(s.suggestions)]
            for s in report.suggested
        ],
        "drift": [s.sentence() for s in report.drift] + section_sentences(report.drift, bank),
        "coverage": lectures,
        "markdown": format_markdown(report, bank),
    }


def coverage_strip_html(lectures: Sequence[LectureTab], src: Callable[[int], str]) -> str:
    """One row of thumbnails per lecture, each framed in its coverage colour.

    ``lectures`` is ``audit_tab_data(...)["coverage"]``; ``src`` turns a slide number into an image
    URL the browser can load (the web view gives a data URI), or "" for none.
    """
    legend = " ".join(
        f'<span style="border-bottom:4px solid {c};margin-right:1em">{name}</span>'
        for name, c in STATUS_COLOURS.items()
    )
    rows = [f'<div class="audit-legend">{legend}</div>']
    for lec in lectures:
        cells = []
        for s in lec["slides"]:
            colour = STATUS_COLOURS[s["status"]]
            label = html.escape(f"{s['number']} {s['title']} ({s['status']})", quote=True)
            inner = (
                f'<img src="{html.escape(src(s["number"]), quote=True)}" alt="{label}" style="width:48px;display:block">'
                if s["thumbnail"]
                else f'<span style="font-size:9px">{s["number"]}</span>'
            )
            cells.append(
                f'<div title="{label}" style="border:3px solid {colour};margin:1px;min-width:48px;min-height:30px">{inner}</div>'
            )
        rows.append(
            f'<div class="audit-lecture"><b>{html.escape(lec["deck"])}</b> ({lec["first"]}–{lec["last"]})<div style="display:flex;flex-wrap:wrap">{"".join(cells)}</div></div>'
        )
    return "\n".join(rows)
