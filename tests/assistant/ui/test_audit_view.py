"""The Bank audit tab's tables: rows from a report, titles cut with an ellipsis, the percentages explained."""

from __future__ import annotations

from assistant.audit.findings import AuditReport, RefCheck, Suggested, Suggestion
from assistant.audit.report import _suggestion_list
from assistant.bank.parse import Question
from assistant.ui.audit_view import flag_rows, short, suggestion_rows, tables_context
from assistant.ui.render import render

LONG = "An extraordinarily long slide title that goes on and on about volcanoes and magma chambers"


def report() -> AuditReport:
    q1 = Question("q1", "earth", None, "why do plates <b>move</b>?", (11, 12), line=4)
    q2 = Question("q2", "earth", None, "what is basalt?", (), line=9)
    proposed = (Suggestion(3, LONG, 0.74, True), Suggestion(11, "Plates", None, False))
    check = RefCheck(q1, ((11, 16), (12, None)), True, proposed)
    return AuditReport((check,), (Suggested(q2, (Suggestion(5, "Basalt", 0.2, True),)),), (), (), None)


def test_rows_carry_ranks_confidence_and_cut_titles() -> None:
    (flag,) = flag_rows(report())
    assert (flag.question, flag.section, flag.line) == ("why do plates <b>move</b>?", "earth", 4)
    assert flag.cites == "11 (rank 16), 12 (\u2013)"
    first, second = flag.suggestions
    assert first.title.endswith("\u2026") and len(first.title) <= 60 and first.confidence == "74%"
    assert second.cited and second.confidence == ""
    (uncited,) = suggestion_rows(report())
    assert uncited.cites == "" and uncited.suggestions[0].confidence == "20%"


def test_the_tables_escape_and_explain_the_percentages() -> None:
    page = render("audit_tables.html", **tables_context(report()))
    assert "&lt;b&gt;move&lt;/b&gt;" in page and "<b>move" not in page
    assert "retrieval suggests instead" in page and "measured hit rate" in page
    assert 'style="width:36%"' in page  # fixed column widths: the table wraps inside its panel


def test_short_marks_the_cut() -> None:
    assert short("abc", 5) == "abc" and short("abcdefgh", 5) == "abcd\u2026"


def test_terminal_and_markdown_reports_cut_titles_with_an_ellipsis() -> None:
    listed = _suggestion_list([Suggestion(3, LONG, 0.5, True)])
    assert "\u2026" in listed and LONG not in listed and LONG[:30] in listed
