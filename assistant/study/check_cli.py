"""``python -m assistant.study --check ID "my answer"``: the study CLI's own-answer check, printed."""

from __future__ import annotations

import json

from assistant.study.own_answer import OwnAnswerCheck, check_own_answer
from assistant.study.session import StudySession
from index.errors import InputError
from index.settings import UserSettings
from index.terminal import safe


def own_check(session: StudySession, user: UserSettings, qid: str, answer: str, retriever=None):
    """The card, its answer key and the check of ``answer`` against the key's slides."""
    from assistant.answer.verify import checker, open_checking

    card = session.card(qid)
    if card is None:
        raise InputError(f"question {qid} is not in the bank; see --next or --stats for the ids")
    if not answer.strip():
        raise InputError("the answer to check is empty")
    if session.index is None:
        raise InputError("checking an answer needs the index; run: python -m ingest SLIDES.pdf")
    key = session.answer_key(card)
    if not key.slides:
        raise InputError(f"question {qid} cites no slides and none are suggested: nothing to check against")
    retriever = retriever or open_checking(user)
    slides = [retriever.index.slide(n) for n in key.slides]
    return card, key, check_own_answer(checker(retriever, slides, card.text), answer)


def format_check(result: OwnAnswerCheck) -> str:
    lines = ["  your answer, sentence by sentence:"]
    for j in result.sentences:
        lines.append(f"    {j.verdict.upper():<18} {safe(j.text)}")
        if j.evidence and not j.supported:
            lines.append(f"      slide {', '.join(map(str, j.slides))}: {safe(j.evidence)}")
    if result.missed:
        lines.append("  slide points you did not mention:")
        lines += [f"    {p.slide:>4}  {safe(p.text)}" for p in result.missed]
    covered = sum(p.covered for p in result.points)
    lines.append(f"  covered {covered} of {len(result.points)} slide points")
    lines.append(f"  suggested grade: {result.grade} ({result.why}); you choose: --grade ID GRADE")
    return "\n".join(lines)


def print_check(session: StudySession, user: UserSettings, qid: str, answer: str, as_json: bool) -> int:
    card, key, result = own_check(session, user, qid, answer)
    if as_json:
        print(
            json.dumps(
                {"id": card.qid, "question": card.text, "slides": list(key.slides), **result.to_json()},
                ensure_ascii=False,
            )
        )
    else:
        print(f"{card.qid}: {safe(card.text)}\n  slides: {', '.join(map(str, key.slides))}\n" + format_check(result))
    return 0
