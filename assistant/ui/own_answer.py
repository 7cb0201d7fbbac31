"""The Study tab's "Check my answer" box: the student's answer judged against the card's slides, as HTML.

The work is ``assistant.study.own_answer.check_own_answer`` (what ``python -m assistant.study
--check`` prints); this module only renders it. The grade it suggests is shown, never recorded:
the student still presses a grade.
"""

from __future__ import annotations

from html import escape

from assistant.study.own_answer import OwnAnswerCheck, check_own_answer
from assistant.study.session import StudySession

VERDICT_COLOURS = {
    "supported": "#2e7d32",
    "contradicted": "#c62828",
    "not on the slides": "#b26b00",
    "unchecked": "#6b7280",
}


def check_html(result: OwnAnswerCheck) -> str:
    rows = []
    for j in result.sentences:
        colour = VERDICT_COLOURS.get(j.verdict, "#6b7280")
        evidence = (
            f'<div class="sb-own-evidence">slide {", ".join(map(str, j.slides))}: {escape(j.evidence)}</div>'
            if j.evidence and not j.supported
            else ""
        )
        rows.append(
            f'<li class="sb-own-sentence" data-verdict="{escape(j.verdict)}"><b style="color:{colour}">{escape(j.verdict)}</b> '
            f"{escape(j.text)}{evidence}</li>"
        )
    missed = "".join(f"<li>slide {p.slide}: {escape(p.text)}</li>" for p in result.missed)
    covered = sum(p.covered for p in result.points)
    return (
        f'<div class="sb-own-check"><ul>{"".join(rows)}</ul>'
        + (f"<div><b>Slide points you did not mention</b><ul>{missed}</ul></div>" if missed else "")
        + f"<div>Covered {covered} of {len(result.points)} slide points.</div>"
        + f'<div id="study-suggested-grade">Suggested grade: <b>{escape(result.grade)}</b> ({escape(result.why)}). You choose the grade.</div></div>'
    )


def check_card(session: StudySession, retriever, qid: str | None, answer: str) -> str:
    """The HTML for the "Check my answer" result (a one-line note when there is nothing to check)."""
    from assistant.answer.support import checker_for

    card = session.card(qid or "")
    if card is None:
        return '<div class="sb-note">No card on screen.</div>'
    if not answer.strip():
        return '<div class="sb-note">Write your answer first.</div>'
    key = session.answer_key(card)
    if session.index is None or not key.slides:
        return '<div class="sb-note">This card has no slides to check against.</div>'
    slides = [session.index.slide(n) for n in key.slides]
    return check_html(check_own_answer(checker_for(retriever, slides, card.text), answer))
