import pytest

from assistant.bank.parse import load_bank, parse_bank, parse_refs, split_refs
from tests.support.paths import ROOT

BANK = ROOT / "data" / "question_bank.md"


@pytest.mark.parametrize(
    "body, refs",
    [
        ("6", (6,)),
        ("63-65", (63, 64, 65)),
        ("187 - 190", (187, 188, 189, 190)),
        ("164, 171", (164, 171)),
        ("248-253", tuple(range(248, 254))),
    ],
)
def test_reference_forms(body: str, refs: tuple[int, ...]) -> None:
    assert parse_refs(body) == refs


@pytest.mark.parametrize("body", ["Ex2", "5 ways", "order", " $p \\neq q$ ", "12-", "a-b", "0", "9-3", "1-500"])
def test_not_references(body: str) -> None:
    assert parse_refs(body) is None


def test_question_mark_after_reference_and_markers() -> None:
    (q,) = parse_bank("- What are 5 good criteria for choosing representations (248-253)?\n")
    assert q.refs == tuple(range(248, 254)) and q.text == "What are 5 good criteria for choosing representations?"
    (q,) = parse_bank("- formulate the cross entropy loss (19) \\*\n")
    assert (q.text, q.refs, q.marker) == ("formulate the cross entropy loss", (19,), "*")
    (q,) = parse_bank("- what are we estimating (6) -\n")
    assert q.marker == "-"


def test_notes_in_parentheses_stay_in_the_text() -> None:
    (q,) = parse_bank("- formulate the VICReg loss (Ex2) (277)\n")
    assert q.refs == (277,) and "(Ex2)" in q.text
    (q,) = parse_bank("- why is JS divergence unusable? (221) ( $p \\neq q$ )\n")
    assert q.refs == (221,) and "neq" in q.text


def test_heading_with_reference_is_an_entry_and_a_section() -> None:
    bank = parse_bank("#### neural scaling laws: (125)\n\n- Where would you invest? (130) \\*\n")
    assert bank[0].heading and bank[0].text == "neural scaling laws" and bank[0].refs == (125,)
    assert bank[1].section == "neural scaling laws" and bank[1].refs == (130,)


def test_question_broken_over_two_lines() -> None:
    (q,) = parse_bank("- how do you compute  $p(x)$  with monte carlo sampling?  \nWhat's the problem with it? (149)\n")
    assert q.refs == (149,) and q.text.endswith("What's the problem with it?")


def test_sub_bullets_keep_their_parent_and_unreferenced_questions_are_kept() -> None:
    bank = parse_bank("### s\n- How do we sample? (109-111) \\*\n  - What are the problems?\n    - deeper\n- next\n")
    top, child, grandchild, nxt = bank
    assert child.parent == top.id and grandchild.parent == child.id and nxt.parent is None
    assert child.refs == () and child.section == "s"


def test_malformed_references_are_reported_not_fatal() -> None:
    (q,) = parse_bank("- broken refs (12-) and (a-b) and (999999)\n")
    assert q.refs == (999999,) and q.bad_refs == ("(12-)",) and "(a-b)" in q.text
    assert split_refs("x (3, 5)")[1] == (3, 5)


def test_real_bank_parses_with_stable_ids() -> None:
    bank = load_bank(BANK)
    cited = [q for q in bank if q.refs]
    assert len(cited) == 113  # 112 bullets and the "neural scaling laws" heading
    assert len({q.id for q in bank}) == len(bank)
    assert load_bank(BANK) == bank
    by_text = {q.text: q for q in bank}
    assert by_text["explain self attention in detail, and why are CNNs a private case of self attention"].refs == (
        63,
        64,
        65,
    )
    assert by_text["How do we compute the estimation of the score function?"].refs == (187, 188, 189, 190)
    assert by_text["Why are the results of VAE blurry?"].refs == (164, 171)
    # the pros/cons table adds no questions and breaks nothing after it
    assert any(q.section == "Compositionality and Disentanglement" for q in bank)
    assert not any("Contrastive\t" in q.text or "<ul" in q.text for q in bank)
