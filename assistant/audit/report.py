"""Bank audit: check every reference, suggest slides for uncited questions, find deck drift, map coverage.

``gather_evidence`` is the only function that calls retrieval (``Retriever.ranking``, each bank
question with its own entry left out); everything after it is pure and works on ``Evidence``.

- Reference check: the rank the fused ranking gives a question's cited slides. None in the top
  10 → "check this reference", with the slides the audit would suggest instead.
- Suggestions: the fused ranking's top slides, re-ordered by where the question sits in the bank.
  A bank follows its lectures, so an uncited question's answer usually lies between the slides its
  nearest cited neighbours (before and after it in the file) cite; candidates inside that window
  come first. Confidence is the rate at which a suggestion of the same rank and kind (in or out of
  the window) was a cited slide when the cited questions are treated as uncited (leave-one-out).
- Drift: each cited question says which offsets ``d`` make its ``refs + d`` top slides of the
  content-only ranking (dense + BM25; the bank's own votes are left out because they repeat the
  bank's numbers). Questions sorted by reference form a sequence; a Viterbi pass picks the
  piecewise-constant offset that explains most of them, with a cost per change, and a stretch
  with a non-zero offset is only reported with enough support and a clear margin over ``d = 0``.
- Coverage: per lecture (ingested PDF), the slide ranges no question cites or is suggested for.
"""

from __future__ import annotations

import html
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Sequence

from assistant.bank.parse import Question, _MARKER
from assistant.retrieval.retriever import Retriever, parent_text

FLAG_RANK = 10  # a cited slide below this rank is one a student searching would not see
SUGGEST = 3  # suggestions per uncited question
POOL = 30  # fused candidates the bank-order window may promote into the suggestions
KEEP = 50  # ranking depth kept per question
WINDOW_MARGIN = 1  # slides beyond the neighbours' references still inside the window
DRIFT_WINDOW = 5  # offsets tried: -5 .. +5
DRIFT_TOP = 10  # a slide counts as found at rank <= this
DRIFT_CHANGE_COST = 1.5  # evidence (in 1/rank units) needed to start or end a shifted stretch
DRIFT_MIN_SUPPORT = 3  # questions a shift must explain better than no shift
DRIFT_MARGIN = 2.0  # ... and at least this many times as many as it explains worse
MIN_CALIBRATION = 10  # cited questions needed before a confidence is given

Status = Literal["cited", "suggested", "none"]


# -- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What retrieval said about one question (its own entry left out). Slide numbers, best first."""

    question: Question
    fused: tuple[int, ...]
    content: tuple[int, ...]

    def fused_rank(self, slide: int) -> int | None:
        return _rank(self.fused, slide)


@dataclass(frozen=True)
class Suggestion:
    """A slide proposed for a question. Always a suggestion, never one of the user's references."""

    slide: int
    title: str
    confidence: float | None  # None: too few cited questions to calibrate on
    in_window: bool  # between the slides the neighbouring questions cite


@dataclass(frozen=True)
class RefCheck:
    question: Question
    ranks: tuple[tuple[int, int | None], ...]  # (cited slide, its fused rank or None)
    flagged: bool
    proposed: tuple[Suggestion, ...]
    drift: int = 0  # offset of the drift stretch this question is in (0: none)
    shifted_rank: int | None = None  # best rank of ref + drift, when drift != 0

    @property
    def best_rank(self) -> int | None:
        found = [r for _, r in self.ranks if r is not None]
        return min(found) if found else None


@dataclass(frozen=True)
class Suggested:
    question: Question
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class DriftPart:
    """The part of a drift stretch inside one bank section."""

    section: str
    first_ref: int
    last_ref: int
    questions: int
    support: int

    def sentence(self, offset: int, whole_section: bool) -> str:
        where = "" if whole_section else f" from slide {self.first_ref} on" if self.last_ref > self.first_ref or self.questions > 1 else f" at slide {self.first_ref}"
        return f"references in '{self.section}' look shifted by {offset:+d}{where} ({self.support} of {self.questions} questions agree)"


@dataclass(frozen=True)
class DriftStretch:
    """Consecutive references (in bank numbering) that look shifted by ``offset``."""

    offset: int
    first_ref: int
    last_ref: int
    questions: int
    support: int  # questions the offset explains better than no shift
    against: int  # questions no shift explains better
    parts: tuple[DriftPart, ...]

    def sentence(self) -> str:
        return f"references {self.first_ref}-{self.last_ref} look shifted by {self.offset:+d} ({self.support} of {self.questions} questions agree, {self.against} disagree)"


@dataclass(frozen=True)
class LectureCoverage:
    deck: str
    first: int
    last: int
    status: tuple[Status, ...]  # one per slide first..last
    gaps: tuple[tuple[int, int], ...]  # inclusive slide ranges nothing cites or suggests

    @property
    def uncovered(self) -> int:
        return sum(1 for s in self.status if s == "none")


@dataclass(frozen=True)
class AuditReport:
    checks: tuple[RefCheck, ...]
    suggested: tuple[Suggested, ...]
    drift: tuple[DriftStretch, ...]
    coverage: tuple[LectureCoverage, ...]
    suggestion_hit: float | None  # cited questions treated as uncited: a cited slide in the top 3
    calibration: dict[tuple[int, bool], tuple[int, int]] = field(default_factory=dict)  # (rank, in window) → (hits, n)
    seconds: float = 0.0

    @property
    def flagged(self) -> tuple[RefCheck, ...]:
        return tuple(c for c in self.checks if c.flagged)


# -- gathering (the one place that calls retrieval) ---------------------------------------------


def gather_evidence(retriever: Retriever, questions: Sequence[Question] | None = None, progress: bool = False) -> list[Evidence]:
    """Rank every question with its own entry left out: fused, and content-only (dense + BM25)."""
    questions = list(retriever.bank if questions is None else questions)
    # Content only: no bank votes and no section prior, which would repeat the bank's own numbers.
    content_only = retriever.with_settings(bank_weight=0.0, section_weight=0.0)
    out: list[Evidence] = []
    items: Iterable[Question] = questions
    if progress:
        from tqdm import tqdm

        items = tqdm(questions, desc="audit", unit="question", leave=False)
    for q in items:
        text = retriever.query_text(q)
        own = (q.id,)
        fused = retriever.ranking(text, "fused", exclude=own, section=q.section, context=parent_text(retriever.bank, q))
        content = content_only.ranking(text, "fused", exclude=own)
        out.append(Evidence(q, tuple(int(n) for n in fused.numbers[:KEEP]), tuple(int(n) for n in content.numbers[:KEEP])))
    return out


# -- pure core ----------------------------------------------------------------------------------


def _rank(ranked: Sequence[int], slide: int) -> int | None:
    try:
        return ranked.index(slide) + 1
    except ValueError:
        return None


def neighbour_window(bank: Sequence[Question], index: int, shift: Callable[[int], int] = lambda r: 0, margin: int = WINDOW_MARGIN) -> tuple[int, int] | None:
    """Slides between the nearest cited questions before and after ``bank[index]`` (itself excluded).

    ``shift(ref)`` corrects references for deck drift. None when neither neighbour exists.
    """
    before = next((bank[j] for j in range(index - 1, -1, -1) if bank[j].refs), None)
    after = next((bank[j] for j in range(index + 1, len(bank)) if bank[j].refs), None)
    if before is None and after is None:
        return None
    lo_refs = (before or after).refs  # type: ignore[union-attr]
    hi_refs = (after or before).refs  # type: ignore[union-attr]
    lo = min(r + shift(r) for r in lo_refs)
    hi = max(r + shift(r) for r in hi_refs)
    lo, hi = min(lo, hi), max(lo, hi)
    return lo - margin, hi + margin


def order_candidates(fused: Sequence[int], window: tuple[int, int] | None, pool: int = POOL) -> list[tuple[int, bool]]:
    """Fused candidates, those of the top ``pool`` inside ``window`` first. (slide, in window) pairs."""
    if window is None:
        return [(n, False) for n in fused]
    lo, hi = window
    inside = [n for n in fused[:pool] if lo <= n <= hi]
    chosen = set(inside)
    return [(n, True) for n in inside] + [(n, False) for n in fused if n not in chosen]


def calibrate(outcomes: Iterable[tuple[int, bool, bool]]) -> dict[tuple[int, bool], tuple[int, int]]:
    """(rank, in window, was a cited slide) outcomes → (rank, in window) → (hits, n)."""
    table: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0, 0])
    for rank, inside, hit in outcomes:
        cell = table[(rank, inside)]
        cell[0] += int(hit)
        cell[1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}


def confidence(table: dict[tuple[int, bool], tuple[int, int]], rank: int, inside: bool, prior_weight: float = 5.0) -> float | None:
    """Hit rate of the (rank, in window) cell, shrunk towards the rank's overall rate (thin cells)."""
    rank_hits = sum(v[0] for k, v in table.items() if k[0] == rank)
    rank_n = sum(v[1] for k, v in table.items() if k[0] == rank)
    if not rank_n:
        return None
    hits, n = table.get((rank, inside), (0, 0))
    return (hits + prior_weight * rank_hits / rank_n) / (n + prior_weight)


def drift_scores(evidence: Evidence, window: int = DRIFT_WINDOW, top: int = DRIFT_TOP) -> dict[int, float]:
    """Offset d → how well ``refs + d`` match the content ranking: the mean over refs of 1/rank (0 past ``top``).

    The mean, not the best, so a cited range must move as a whole: a neighbour slide on a
    related topic lifts one end of a shifted range, never all of it.
    """
    head = evidence.content[:top]
    refs = evidence.question.refs
    scores = {}
    for d in range(-window, window + 1):
        ranks = [_rank(head, r + d) for r in refs]
        scores[d] = sum(1.0 / r for r in ranks if r is not None) / len(refs) if refs else 0.0
    return scores


def _viterbi(scores: Sequence[dict[int, float]], offsets: Sequence[int], change_cost: float) -> list[int]:
    """The offset per item maximising total score minus ``change_cost`` per change (starting at 0)."""
    if not scores:
        return []
    best = {d: scores[0][d] - (change_cost if d else 0.0) for d in offsets}
    back: list[dict[int, int]] = []
    for s in scores[1:]:
        lead = max(offsets, key=lambda d: (best[d], d == 0))
        step, new = {}, {}
        for d in offsets:
            stay, jump = best[d], best[lead] - change_cost
            step[d] = d if stay >= jump else lead
            new[d] = s[d] + max(stay, jump)
        back.append(step)
        best = new
    path = [max(offsets, key=lambda d: (best[d], d == 0))]
    for step in reversed(back):
        path.append(step[path[-1]])
    return path[::-1]


def estimate_drift(
    evidence: Sequence[Evidence],
    window: int = DRIFT_WINDOW,
    change_cost: float = DRIFT_CHANGE_COST,
    min_support: int = DRIFT_MIN_SUPPORT,
    margin: float = DRIFT_MARGIN,
) -> tuple[DriftStretch, ...]:
    """Stretches of references that look shifted. Uses cited questions only, ordered by first reference."""
    cited = sorted((e for e in evidence if e.question.refs), key=lambda e: (min(e.question.refs), e.question.line))
    offsets = list(range(-window, window + 1))
    scores = [drift_scores(e, window) for e in cited]
    path = _viterbi(scores, offsets, change_cost)
    stretches: list[DriftStretch] = []
    start = 0
    for i in range(1, len(path) + 1):
        if i < len(path) and path[i] == path[start]:
            continue
        d = path[start]
        if d != 0:
            members = range(start, i)
            support = sum(1 for j in members if scores[j][d] > scores[j][0])
            against = sum(1 for j in members if scores[j][0] > scores[j][d])
            if support >= min_support and support >= margin * against:
                stretches.append(_stretch(d, [cited[j] for j in members], [scores[j] for j in members]))
        start = i
    return tuple(stretches)


def _stretch(offset: int, members: Sequence[Evidence], scores: Sequence[dict[int, float]]) -> DriftStretch:
    by_section: dict[str, list[int]] = {}
    for j, e in enumerate(members):
        by_section.setdefault(e.question.section, []).append(j)
    parts = tuple(
        DriftPart(
            section,
            min(min(members[j].question.refs) for j in js),
            max(max(members[j].question.refs) for j in js),
            len(js),
            sum(1 for j in js if scores[j][offset] > scores[j][0]),
        )
        for section, js in by_section.items()
    )
    return DriftStretch(
        offset,
        min(min(e.question.refs) for e in members),
        max(max(e.question.refs) for e in members),
        len(members),
        sum(1 for s in scores if s[offset] > s[0]),
        sum(1 for s in scores if s[0] > s[offset]),
        parts,
    )


def drift_at(stretches: Sequence[DriftStretch]) -> Callable[[int], int]:
    """ref → the offset of the stretch covering it (0 outside every stretch)."""

    def shift(ref: int) -> int:
        for s in stretches:
            if s.first_ref <= ref <= s.last_ref:
                return s.offset
        return 0

    return shift


def section_sentences(stretches: Sequence[DriftStretch], bank: Sequence[Question]) -> list[str]:
    """Plain words per section: "references in 'Diffusion models' look shifted by +2 from slide 172 on"."""
    cited_in: dict[str, int] = defaultdict(int)
    for q in bank:
        if q.refs:
            cited_in[q.section] += 1
    return [part.sentence(s.offset, whole_section=part.questions == cited_in[part.section]) for s in stretches for part in s.parts]


def coverage(decks: Sequence[tuple[str, int, int]], cited: Iterable[int], suggested: Iterable[int]) -> tuple[LectureCoverage, ...]:
    """``decks``: (name, first slide, page count). Cited beats suggested beats none."""
    cited, suggested = set(cited), set(suggested)
    out = []
    for name, first, pages in decks:
        last = first + pages - 1
        status: list[Status] = ["cited" if n in cited else "suggested" if n in suggested else "none" for n in range(first, last + 1)]
        gaps: list[tuple[int, int]] = []
        for n, s in zip(range(first, last + 1), status):
            if s != "none":
                continue
            if gaps and gaps[-1][1] == n - 1:
                gaps[-1] = (gaps[-1][0], n)
            else:
                gaps.append((n, n))
        out.append(LectureCoverage(name, first, last, tuple(status), tuple(gaps)))
    return tuple(out)


def build_report(
    evidence: Sequence[Evidence],
    bank: Sequence[Question],
    titles: dict[int, str],
    decks: Sequence[tuple[str, int, int]],
    flag_rank: int = FLAG_RANK,
    k: int = SUGGEST,
) -> AuditReport:
    """The whole audit from gathered evidence. ``bank`` in file order; ``titles``: slide → title."""
    n_slides = max(titles) if titles else 0
    by_id = {e.question.id: e for e in evidence}
    position = {q.id: i for i, q in enumerate(bank)}
    drift = estimate_drift(evidence)
    shift = drift_at(drift)

    def candidates(e: Evidence) -> list[tuple[int, bool]]:
        window = neighbour_window(bank, position[e.question.id], shift) if e.question.id in position else None
        return order_candidates(e.fused, window)[:k]

    # Calibrate on the cited questions, each treated as uncited (its references withheld).
    outcomes = []
    hits = 0
    cited_evidence = [e for e in evidence if e.question.refs]
    for e in cited_evidence:
        wanted = {r + shift(r) for r in e.question.refs}
        top = candidates(e)
        hits += any(n in wanted for n, _ in top)
        outcomes.extend((rank, inside, n in wanted) for rank, (n, inside) in enumerate(top, start=1))
    table = calibrate(outcomes) if len(cited_evidence) >= MIN_CALIBRATION else {}

    def suggest(e: Evidence) -> tuple[Suggestion, ...]:
        return tuple(
            Suggestion(n, titles.get(n, ""), confidence(table, rank, inside) if table else None, inside)
            for rank, (n, inside) in enumerate(candidates(e), start=1)
        )

    checks, suggested = [], []
    for q in bank:
        e = by_id.get(q.id)
        if e is None:
            continue
        if q.refs:
            ranks = tuple((r, e.fused_rank(r)) for r in q.refs)
            flagged = not any(r is not None and r <= flag_rank for _, r in ranks)
            d = shift(min(q.refs))
            shifted = [e.fused_rank(r + d) for r in q.refs if d and 1 <= r + d <= n_slides]
            shifted_rank = min((r for r in shifted if r is not None), default=None)
            checks.append(RefCheck(q, ranks, flagged, suggest(e) if flagged else (), d, shifted_rank))
        else:
            suggested.append(Suggested(q, suggest(e)))
    cited_slides = {r + shift(r) for q in bank for r in q.refs}
    suggested_slides = {s.slide for item in suggested for s in item.suggestions}
    return AuditReport(
        tuple(checks),
        tuple(suggested),
        drift,
        coverage(decks, cited_slides, suggested_slides),
        hits / len(cited_evidence) if cited_evidence else None,
        table,
    )


def run_audit(retriever: Retriever, progress: bool = False) -> AuditReport:
    """Gather evidence for the whole bank and build the report. Needs an index."""
    if retriever.index is None:
        raise ValueError("the audit needs an index")
    started = time.perf_counter()
    evidence = gather_evidence(retriever, progress=progress)
    index = retriever.index
    titles = {s.number: s.title for s in index.slides}
    decks = [(d.stem, d.first_number, d.pages) for d in index.manifest.decks]
    report = build_report(evidence, list(retriever.bank), titles, decks)
    return AuditReport(report.checks, report.suggested, report.drift, report.coverage, report.suggestion_hit, report.calibration, time.perf_counter() - started)


# -- writing suggestions into a copy of the bank -----------------------------------------------


def with_suggestions(markdown: str, suggested: Iterable[Suggested]) -> str:
    """The bank text with ``(suggested: a, b, c)`` after each uncited question (before its study marker).

    The parser reads these back as ``Question.suggested``, never as references. Lines are kept
    byte for byte otherwise, including line endings; earlier suggestions are replaced.
    """
    by_line = {s.question.line: s for s in suggested if s.suggestions and not s.question.heading}
    lines = markdown.splitlines(keepends=True)
    for number, item in by_line.items():
        if not 1 <= number <= len(lines):
            continue
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        body = re.sub(r"\s*\(\s*suggested\s*:[^()]*\)", "", body, flags=re.IGNORECASE)
        note = "(suggested: " + ", ".join(str(s.slide) for s in item.suggestions) + ")"
        match = _MARKER.search(body)
        if match:
            body = f"{body[: match.start()].rstrip()} {note}{body[match.start():]}"
        else:
            body = f"{body.rstrip()} {note}"
        lines[number - 1] = body + ending
    return "".join(lines)


# -- presentation -------------------------------------------------------------------------------


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
    return "; ".join(f"{s.slide} {s.title[:40]} ({_conf(s)}{', the cited slide' if s.slide in cited else ''})" for s in items)


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_text(report: AuditReport, bank: Sequence[Question]) -> str:
    """The CLI's report: flags, suggestions, drift, coverage gaps."""
    cited = len(report.checks)
    lines = [f"Bank audit: {cited} questions cite slides, {len(report.suggested)} cite nothing ({report.seconds:.1f} s)", ""]
    lines.append(f"Check these references ({len(report.flagged)}): none of the cited slides is in retrieval's top {FLAG_RANK}")
    for c in report.flagged:
        ranks = ", ".join(f"{n}:{r if r is not None else '-'}" for n, r in c.ranks)
        lines.append(f"  ! {_short(c.question.text)}  [{c.question.section}, line {c.question.line}]")
        lines.append(f"      cites {_ranges([n for n, _ in c.ranks])} (rank {ranks}); suggested instead: {_suggestion_list(c.proposed, c.question.refs)}")
        if c.drift:
            lines.append(f"      inside a drift stretch ({c.drift:+d}): shifted reference ranks {c.shifted_rank or '-'}")
    if not report.flagged:
        lines.append("  (none)")
    lines += ["", "Suggested slides for questions that cite nothing (SUGGESTIONS, not references; confidence = leave-one-out hit rate)"]
    for s in report.suggested:
        lines.append(f"  ? {_short(s.question.text)}  [{s.question.section}]")
        lines.append(f"      suggested: {_suggestion_list(s.suggestions)}")
    lines += ["", "Deck drift"]
    if report.drift:
        for s in report.drift:
            lines.append(f"  ~ {s.sentence()}")
        for sentence in section_sentences(report.drift, bank):
            lines.append(f"      {sentence}")
    else:
        lines.append("  none found: the references agree with the deck's numbering")
    lines += ["", "Coverage: slides no question cites or is suggested for"]
    for lec in report.coverage:
        total = lec.last - lec.first + 1
        gaps = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in lec.gaps) or "none"
        lines.append(f"  {lec.deck} ({lec.first}-{lec.last}): {lec.uncovered} of {total} uncovered: {gaps}")
    if report.suggestion_hit is not None:
        lines += ["", f"Suggestion quality (cited questions treated as uncited): a cited slide in the top {SUGGEST} for {report.suggestion_hit:.1%}"]
    return "\n".join(lines)


def format_markdown(report: AuditReport, bank: Sequence[Question]) -> str:
    esc = lambda t: t.replace("|", "\\|")  # noqa: E731
    out = ["# Bank audit", "", f"{len(report.checks)} questions cite slides, {len(report.suggested)} cite nothing.", ""]
    out += [f"## Check these references ({len(report.flagged)})", "", f"None of the cited slides is in retrieval's top {FLAG_RANK}.", ""]
    if report.flagged:
        out += ["| question | section | cites (rank) | suggested instead |", "| --- | --- | --- | --- |"]
        for c in report.flagged:
            ranks = ", ".join(f"{n} ({r if r is not None else '–'})" for n, r in c.ranks)
            out.append(f"| {esc(c.question.text)} | {esc(c.question.section)} | {ranks} | {esc(_suggestion_list(c.proposed, c.question.refs))} |")
    out += ["", f"## Suggested slides for uncited questions ({len(report.suggested)})", "", "_Suggestions, not references. Confidence: how often a suggestion of that rank was a cited slide when the cited questions were treated as uncited._", ""]
    out += ["| question | section | suggested (confidence) |", "| --- | --- | --- |"]
    for s in report.suggested:
        out.append(f"| {esc(s.question.text)} | {esc(s.question.section)} | _suggested:_ {esc(_suggestion_list(s.suggestions))} |")
    out += ["", "## Deck drift", ""]
    if report.drift:
        out += [f"- {s.sentence()}" for s in report.drift]
        out += [f"  - {t}" for t in section_sentences(report.drift, bank)]
    else:
        out.append("None found: the references agree with the deck's numbering.")
    out += ["", "## Coverage", "", "| lecture | slides | uncovered | ranges nothing cites or suggests |", "| --- | --- | --- | --- |"]
    for lec in report.coverage:
        gaps = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in lec.gaps) or "–"
        out.append(f"| {lec.deck} | {lec.first}–{lec.last} | {lec.uncovered} | {gaps} |")
    if report.suggestion_hit is not None:
        out += ["", f"Suggestion quality: a cited slide among the top {SUGGEST} suggestions for {report.suggestion_hit:.1%} of the cited questions treated as uncited."]
    return "\n".join(out) + "\n"


# -- for the web app ----------------------------------------------------------------------------

STATUS_COLOURS = {"cited": "#2e7d32", "suggested": "#f9a825", "none": "#c62828"}


def audit_tab_data(retriever: Retriever, report: AuditReport | None = None) -> dict:
    """Plain data for an audit tab. Runs the audit unless ``report`` is given.

    Returns ``{"summary": str, "flags": [[question, section, cites, suggested]], "suggestions":
    [[question, section, suggested]], "drift": [str], "coverage": [{"deck", "first", "last",
    "gaps", "slides": [{"number", "title", "status", "thumbnail"}]}], "markdown": str}``.
    ``thumbnail`` is a file path (str) or None; ``status`` is "cited", "suggested" or "none".
    """
    if report is None:
        report = run_audit(retriever)
    index = retriever.index
    assert index is not None
    bank = list(retriever.bank)
    lectures = []
    for lec in report.coverage:
        slides = []
        for number, status in zip(range(lec.first, lec.last + 1), lec.status):
            thumb = index.thumbnail(number)
            slides.append({"number": number, "title": index.slide(number).title, "status": status, "thumbnail": str(thumb) if thumb else None})
        lectures.append({"deck": lec.deck, "first": lec.first, "last": lec.last, "gaps": [list(g) for g in lec.gaps], "slides": slides})
    return {
        "summary": f"{len(report.checks)} questions cite slides ({len(report.flagged)} to check), {len(report.suggested)} cite nothing.",
        "flags": [[c.question.text, c.question.section, _ranges([n for n, _ in c.ranks]), "suggested: " + _suggestion_list(c.proposed, c.question.refs)] for c in report.flagged],
        "suggestions": [[s.question.text, s.question.section, "suggested: " + _suggestion_list(s.suggestions)] for s in report.suggested],
        "drift": [s.sentence() for s in report.drift] + section_sentences(report.drift, bank),
        "coverage": lectures,
        "markdown": format_markdown(report, bank),
    }


def coverage_strip_html(lectures: Sequence[dict], src: Callable[[str], str] = lambda p: f"/gradio_api/file={p}") -> str:
    """One row of thumbnails per lecture, each framed in its coverage colour.

    ``lectures`` is ``audit_tab_data(...)["coverage"]``; ``src`` turns a thumbnail path into a
    URL the browser can load (Gradio serves files under ``/gradio_api/file=`` when the index
    folder is in ``allowed_paths``).
    """
    legend = " ".join(f'<span style="border-bottom:4px solid {c};margin-right:1em">{name}</span>' for name, c in STATUS_COLOURS.items())
    rows = [f'<div class="audit-legend">{legend}</div>']
    for lec in lectures:
        cells = []
        for s in lec["slides"]:
            colour = STATUS_COLOURS[s["status"]]
            label = html.escape(f'{s["number"]} {s["title"]} ({s["status"]})', quote=True)
            inner = f'<img src="{html.escape(src(s["thumbnail"]), quote=True)}" alt="{label}" style="width:48px;display:block">' if s["thumbnail"] else f'<span style="font-size:9px">{s["number"]}</span>'
            cells.append(f'<div title="{label}" style="border:3px solid {colour};margin:1px;min-width:48px;min-height:30px">{inner}</div>')
        rows.append(f'<div class="audit-lecture"><b>{html.escape(lec["deck"])}</b> ({lec["first"]}–{lec["last"]})<div style="display:flex;flex-wrap:wrap">{"".join(cells)}</div></div>')
    return "\n".join(rows)


# -- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import sys
    from dataclasses import asdict
    from pathlib import Path

    from assistant.bank.parse import default_bank_path
    from assistant.retrieval.retriever import open_retriever
    from index.errors import SlidebankError
    from index.store import load_index

    parser = argparse.ArgumentParser(
        prog="python -m assistant.audit",
        description="Audit the question bank against the slides: check every reference, suggest slides for "
        "questions that cite none, detect deck drift (references shifted by inserted or removed slides), "
        "and list the slide ranges the bank never touches.",
        epilog="examples:\n"
        "  python -m assistant.audit                              report on the terminal\n"
        "  python -m assistant.audit --markdown audit.md          also write the report as markdown\n"
        "  python -m assistant.audit --write-suggestions bank+.md copy of the bank with (suggested: N) notes\n"
        "\nYour bank file is never modified. Suggestions are written as (suggested: 196), which the bank\n"
        "parser keeps apart from your references.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: $SLIDEBANK_INDEX or data/index)")
    parser.add_argument("--bank", type=Path, default=None, help="question bank markdown (default: data/question_bank.md)")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the report as markdown to FILE")
    parser.add_argument("--write-suggestions", type=Path, metavar="FILE", help="write a copy of the bank with suggested slides added to FILE")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    bank_path = Path(args.bank or default_bank_path())
    try:
        if args.write_suggestions is not None and args.write_suggestions.resolve() == bank_path.resolve():
            raise SlidebankError(f"--write-suggestions {args.write_suggestions} is the bank itself; the bank is never modified, pick another file")
        for target in (args.markdown, args.write_suggestions):
            if target is not None and not target.resolve().parent.is_dir():
                raise SlidebankError(f"cannot write {target}: folder {target.parent} does not exist")
        load_index(args.index)  # fail fast, before loading a model, when there is nothing to audit
        retriever, notices = open_retriever(args.index, bank_path)
        if retriever.index is None:
            raise SlidebankError(notices[0].split(";")[0] + "; the audit needs slides: python -m ingest path/to/slides.pdf")
        if not retriever.bank:
            raise SlidebankError(f"the bank {bank_path} has no questions")
        report = run_audit(retriever, progress=not args.quiet and sys.stderr.isatty())
        bank = list(retriever.bank)
        if args.markdown is not None:
            args.markdown.write_text(format_markdown(report, bank), encoding="utf-8")
        if args.write_suggestions is not None:
            original = bank_path.read_text(encoding="utf-8", errors="replace")
            args.write_suggestions.write_text(with_suggestions(original, report.suggested), encoding="utf-8")
    except SlidebankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.json:
        data = asdict(report)
        data["calibration"] = [{"rank": k[0], "in_window": k[1], "hits": v[0], "n": v[1]} for k, v in report.calibration.items()]
        print(json.dumps(data, default=str))
    else:
        print(format_text(report, bank))
        for target, what in ((args.markdown, "report"), (args.write_suggestions, "bank with suggestions")):
            if target is not None:
                print(f"wrote the {what} to {target}")
    return 0


if __name__ == "__main__":
    import signal
    import sys

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the output quietly
    sys.exit(main())
