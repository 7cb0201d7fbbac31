"""Is a sentence true to the slide lines it is held to? Rules that read meaning, not topic.

The support score (``support.py``) says whether a sentence is *about* a slide. A sentence can reuse
every word of a slide line and still say the opposite, or add a number the slide never gave. This
module aligns a sentence (and each of its clauses) to its best slide line and compares them:

- **flips** (contradicted): a negation the line does not have (or lacks one it has, including
  "insufficient" against "sufficient"); a word whose antonym the line uses instead ("small" for
  "large", "stochastic" for "deterministic", "decreases" for "increases"); a sweeping quantifier
  ("always", "never", "all") where the line hedges ("often", "typically", "can");
  the two sides of a comparison swapped ("more by small than large" against "more by large than
  small"); a term paired with the property another, parallel line gives to another term
  ("layer norm ... multiple examples" where the slide says "layer norm: single example" and
  "batch norm: multiple examples");
- **not on the slides**: a number or a name found on neither the slides nor the question; a sentence
  most of whose content words are on neither (scored against the best line's meaning too, so a
  paraphrase in other words stays).

All of it is pure and deck-agnostic: the word lists are English, not any course's terms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.formulas import flipped_relation, fragment, shield, swapped_formula, symbol
from assistant.answer.formulas import formulas as formulas  # what own answers compare (study)
from assistant.answer.wording import (
    AFFIXES,
    BULLET,
    CLAUSE,
    DENIAL,
    EXCLUSIVE,
    HEDGES,
    SEVERAL,
    SWEEPING,
    WEAK_ANCHORS,
    antonyms,
    negated,
    neighbours,
    raw_words,
    words,
)
from index.records import Slide

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NOT_ON_SLIDES = "not on the slides"
UNCHECKED = "unchecked"
VERDICTS = (SUPPORTED, CONTRADICTED, NOT_ON_SLIDES, UNCHECKED)

# Content words of a sentence found on neither the slides nor the question, as a share of its
# content words, above which the sentence says something the slides do not (see NOVEL_* below).
NOVEL_SHARE = 0.5
NOVEL_MIN = 2
# A line whose meaning is this close to the sentence excuses that many new words (a paraphrase).
PARAPHRASE_COSINE = 0.75


@dataclass(frozen=True)
class Line:
    """One slide line (a bullet with its wrapped continuation, or the title)."""

    slide: int
    text: str
    tokens: frozenset[str]
    title: bool = False  # the slide's title: names the topic, claims nothing
    headed: bool = False  # a header ("They are good at:") with the lines under it


@dataclass(frozen=True)
class Finding:
    """What the rules saw: the verdict they force (or "" when they force none), why, and the deciding line."""

    verdict: str
    reason: str
    line: Line | None


def slide_lines(slide: Slide) -> list[Line]:
    """The slide's lines: its title and its bullets, a wrapped line joined to the one it continues."""
    out: list[str] = []
    for raw in slide.text.splitlines():
        text = raw.strip()
        if not text:
            continue
        starts = bool(BULLET.match(text))
        body = BULLET.sub("", text).strip()
        # A line that starts with a lower-case word and follows an unfinished one continues it; so do the
        # pieces a PDF makes of a displayed formula ("(", "t∑", "s=1"), unless they follow the title (the topic).
        ended = not out or out[-1].rstrip().endswith((".", ":", "?", "!"))
        piece = bool(out) and fragment(body) and out[-1] != slide.title.strip()
        if not starts and ((body[:1].islower() and not ended) or piece):
            out[-1] = f"{out[-1]} {body}"
        elif body:
            out.append(body)
    title = slide.title.strip()
    kept = [t for t in dict.fromkeys(out) if t != title and words(t)]
    head = [Line(slide.number, title, words(title), title=True)] if words(title) else []
    return head + [Line(slide.number, t, words(t)) for t in kept]


def clauses(text: str) -> list[str]:
    """The sentence cut at commas, colons and conjunctions; a piece with fewer than two content words joins the next one."""
    parts = re.split(f"({CLAUSE.pattern})", shield(text), flags=re.IGNORECASE)
    out: list[str] = []
    pending = ""  # a piece too short to stand alone goes with the one after it
    for i in range(0, len(parts), 2):
        piece = f"{pending} {parts[i].strip()}".strip()
        pending = ""
        if not piece:
            continue
        after = parts[i + 1] if i + 1 < len(parts) else ""
        # "Batch norm: many examples" pairs a term with its property: a short label keeps its colon.
        if len(words(piece)) < 2 or (after.strip() == ":" and len(piece.split()) <= 3):
            pending = f"{piece}{after.strip()}" if after.strip() == ":" else piece
        else:
            out.append(piece)
    if pending:
        if out:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out or [text]


def ranked(tokens: frozenset[str], lines: Sequence[Line], title: frozenset[str] = frozenset()) -> list[Line]:
    """The lines sharing any of ``tokens``, best aligned first (``align``'s order)."""
    df: dict[str, int] = {}
    for line in lines:
        for t in line.tokens & tokens:
            df[t] = df.get(t, 0) + 1
    keyed = [
        ((sum(1.0 / df[t] for t in (tokens & line.tokens) - title), len(tokens & line.tokens), -len(line.tokens)), i)
        for i, line in enumerate(lines)
        if tokens & line.tokens
    ]
    return [lines[i] for _, i in sorted(keyed, key=lambda k: (k[0][0], k[0][1], k[0][2], -k[1]), reverse=True)]


def align(
    tokens: frozenset[str], lines: Sequence[Line], title: frozenset[str] = frozenset()
) -> tuple[Line | None, float]:
    """The line sharing most of ``tokens`` beyond the title's words, each word weighted by how few lines have it
    (then the share of all words; ties: the shorter line), and the share shared.

    The title names the topic that every sentence about the slide repeats, and a word on every line
    says nothing about which line is meant; what a sentence claims is in its rarer words.
    """
    df: dict[str, int] = {}
    for line in lines:
        for t in line.tokens & tokens:
            df[t] = df.get(t, 0) + 1
    best: Line | None = None
    best_key: tuple[float, ...] = (0.0, 0.0, 0.0)
    for line in lines:
        shared = tokens & line.tokens
        weight = sum(1.0 / df[t] for t in shared - title)
        key = (round(weight, 6), len(shared) / max(len(tokens), 1), -len(line.tokens))
        if shared and key > best_key:
            best, best_key = line, key
    return best, best_key[1]


def slide_antonym(
    tokens: frozenset[str], lines: Sequence[Line], title: frozenset[str], text: str = ""
) -> tuple[str, Line] | None:
    """A word found nowhere on the slide whose antonym a line says, that line sharing the clause's other words
    (or the word next to it: "necessary conditions" where the title says "Sufficient Conditions").

    "Linear models are hard to optimize" where no line says "hard" and one says "easy to optimize".
    """
    on_slide = frozenset().union(*(line.tokens for line in lines)) if lines else frozenset()
    table = antonyms()
    for word in sorted(tokens - on_slide):
        opposites = table.get(word, frozenset())
        # "several" is no flip of "single" on a slide that says "multiple": both have that opposite.
        if any(table.get(t, frozenset()) & opposites for t in on_slide):
            continue
        for other in sorted(opposites):
            if other in tokens:
                continue
            for line in lines:
                if other in line.tokens and (
                    len((tokens & line.tokens) - title) >= 1 or neighbours(line.text, other) & neighbours(text, word)
                ):
                    return f'"{word}" where the slide says "{other}"', line
    return None


def antonym_flip(tokens: frozenset[str], line: Line, sentence: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """A word of the clause whose antonym the line says instead (neither the line nor the sentence says both)."""
    table = antonyms()
    for word in sorted(tokens - line.tokens):
        for other in table.get(word, ()):
            if other in line.tokens and other not in tokens and other not in sentence:
                return word, other
    return None


def affix_flip(tokens: frozenset[str], line: Line, sentence: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """ "insufficient" against "sufficient", "unlabeled" against "labeled"."""
    for word in sorted(tokens - line.tokens):
        for other in line.tokens - tokens - sentence:
            for affix in AFFIXES:
                if word == affix + other or other == affix + word:
                    return word, other
    return None


def sweeping(text: str, line: Line) -> str | None:
    """A sweeping quantifier the sentence adds where its line hedges."""
    said = set(raw_words(text))
    line_words = set(raw_words(line.text))
    strong = sorted((said & SWEEPING) - line_words)
    if strong and (line_words & HEDGES) and not (said & HEDGES & line_words):
        return strong[0]
    return None


def exclusive(text: str, tokens: frozenset[str], line: Line) -> str | None:
    """ "the conditional model only" where the line says "conditional and unconditional models"."""
    said = set(raw_words(text)) & EXCLUSIVE
    if not said or said & set(raw_words(line.text)):
        return None
    for word in tokens & line.tokens:
        for other in line.tokens - tokens:
            if other in antonyms().get(word, ()) or any(other == a + word or word == a + other for a in AFFIXES):
                return f'"{sorted(said)[0]} {word}" where the slide also says "{other}"'
    return None


HEADER_ITEMS = 2  # a header ("They are good at:") pairs with the line or two under it, not with a whole list


def groups(lines: Sequence[Line]) -> list[Line]:
    """Lines as claims: a header ending in ":" takes the lines under it (two at most); questions and the title are no claims."""
    out: list[Line] = []
    taken = HEADER_ITEMS  # lines the open header may still take
    for line in lines:
        if line.title or line.text.rstrip().endswith("?"):
            taken = HEADER_ITEMS
            continue
        header = line.text.rstrip().endswith(":")
        if out and out[-1].headed and taken < HEADER_ITEMS and out[-1].slide == line.slide and not header:
            last = out[-1]
            out[-1] = Line(last.slide, f"{last.text} {line.text}", last.tokens | line.tokens, headed=True)
            taken += 1
            continue
        out.append(Line(line.slide, line.text, line.tokens, headed=header))
        taken = 0 if header else HEADER_ITEMS
    return out


_PIVOT = re.compile(r"\b(?:than|of|into)\b", re.IGNORECASE)


def swapped_comparison(text: str, line: Line) -> bool:
    """Both say "X than Y" (or "X of Y", "X into Y") and the sentence puts on one side what the line puts on the other.

    "PCA is influenced more by small distances than large ones" against "more by large distances
    than small ones"; "transformers are a special case of CNNs" against "CNNs: special case of transformers".
    """
    for pivot in ("than", "of", "into"):
        parts = re.split(rf"\b{pivot}\b", text, maxsplit=1, flags=re.IGNORECASE)
        line_parts = re.split(rf"\b{pivot}\b", line.text, maxsplit=1, flags=re.IGNORECASE)
        if len(parts) != 2 or len(line_parts) != 2:
            continue
        left, right = words(parts[0]), words(parts[1])
        line_left, line_right = words(line_parts[0]), words(line_parts[1])
        moved_right = (left - right) & (line_right - line_left)
        moved_left = (right - left) & (line_left - line_right)
        if moved_right and moved_left:
            return True
    return False


def swapped_pairing(
    tokens: frozenset[str], claims: Sequence[Line], title: frozenset[str], title_text: str = ""
) -> tuple[Line, Line] | None:
    """A clause that joins what two parallel lines keep apart: a word found only in one line and a word only in the other.

    Parallel lines share words besides the title's ("Layer norm: compute stats ... single example" and
    "Batch norm: compute stats ... multiple examples"): they pair terms with properties, and a clause
    holding one line's term and the other line's property has swapped the pairing.
    """
    own: dict[str, Line] = {}
    counts: dict[str, int] = {}
    for line in claims:
        for t in line.tokens:
            counts[t] = counts.get(t, 0) + 1
            own[t] = line
    # A word the stemmer leaves in two forms ("know", "known") is on both lines, not one line's own.
    for t in tokens & own.keys():
        if len(t) >= 4:
            counts[t] = sum(
                any(u.startswith(t) or (len(u) >= 4 and t.startswith(u)) for u in line.tokens) for line in claims
            )
    # A title word names the topic, unless the title names several things that lines then take
    # apart ("Batch/Layer normalization": "batch" on one line, "layer" on another).
    split_title = {t for t in title if counts.get(t) == 1}
    several = len({id(own[t]) for t in split_title}) >= 2 and SEVERAL.search(title_text)
    named = split_title if several else set()
    anchors = [
        t
        for t in sorted(tokens)
        if counts.get(t) == 1
        and len(t) >= 3
        and not symbol(t)
        and t not in WEAK_ANCHORS
        and (t not in title or t in named)
    ]
    for i, a in enumerate(anchors):
        for b in anchors[i + 1 :]:
            la, lb = own[a], own[b]
            if la is lb or la.slide != lb.slide or (a in _label(la) and b in _label(lb)):
                continue  # "smoothness and Lipschitz continuity" lists two lines' terms; it pairs nothing
            # Symbols ("beta", "l2norm") recur in every formula of a slide; lines parallel in words share words.
            common = {t for t in (la.tokens & lb.tokens) - title if len(t) >= 3 and not symbol(t)}
            if (len(common) >= 2 or (la.headed and lb.headed)) and not (
                tokens >= (la.tokens - title) and tokens >= (lb.tokens - title)
            ):
                # The clause must follow one of the two lines closely (else it merely mentions both).
                # Under two headers ("good at:", "poor at:") the header's word and the item's are the pairing.
                headed = la.headed and lb.headed
                if headed or len(tokens & la.tokens & lb.tokens) >= 1 or len(tokens & (la.tokens | lb.tokens)) >= 3:
                    return la, lb
    return None


def _label(line: Line) -> frozenset[str]:
    """The words of a headed line's label ("β-Smooth" of "β-Smooth: ∃β > 0 such that ...")."""
    return words(line.text.split(":", 1)[0]) if line.headed and ":" in line.text else frozenset()


def units(lines: Sequence[Line]) -> list[Line]:
    """What a clause is held to: each line that makes a claim (questions do not), and each of its clauses."""
    out: list[Line] = []
    for line in lines:
        if line.text.rstrip().endswith("?"):
            continue
        out.append(line)
        parts = clauses(line.text)
        if len(parts) > 1:
            out += [Line(line.slide, p, words(p), line.title) for p in parts if words(p)]
    return out


def contradiction(text: str, lines: Sequence[Line], titles: frozenset[str], title_text: str = "") -> Finding | None:
    """The first flip found between the sentence (whole, then clause by clause) and its best-aligned line or line clause.

    A sentence of several clauses is compared whole only for flips that need no locality (antonyms,
    comparisons, quantifiers); negations, formulas and pairings are compared clause by clause, each
    clause with the line clause it matches, so a "not" in one part never flips another.
    """
    denial = DENIAL.match(text)
    if denial:
        # "It is not true that X": X said by the slide makes the sentence its negation.
        rest = text[denial.end() :]
        line, share = align(words(rest), units(lines), titles)
        if line is not None and share >= 0.5 and contradiction(rest, lines, titles, title_text) is None:
            return Finding(CONTRADICTED, "denies what the slide line says", line)
        return None
    whole = words(text)
    pieces = clauses(text)
    single = len(pieces) == 1
    pool = units(lines)
    claims = groups(lines)
    checks = [(text, pool if single else [u for u in pool if u in lines])]
    checks += [] if single else [(p, pool) for p in pieces]
    for piece, candidates in checks:
        local = single or piece is not text
        tokens = words(piece)
        if len(tokens) < 2:
            continue
        line, share = align(tokens, candidates, titles)
        # An inequality is read against its line even when symbols, not words, make up most of the clause.
        relation = _relation_flip(piece, tokens, line, claims, titles) if local else None
        if relation:
            return relation
        if line is None or share < 0.34:
            far = _across_lines(piece, tokens, claims, pool, titles, title_text) if local else None
            if far:
                return far
            continue
        if swapped_comparison(piece, line):
            return Finding(CONTRADICTED, "the comparison is the other way round", line)
        formula = swapped_formula(piece, line.text) if local else None
        if formula:
            return Finding(CONTRADICTED, formula, line)
        # The whole of a sentence of several clauses may hold both words of a pair, each in its clause.
        guard = frozenset() if local else whole
        flip = antonym_flip(tokens, line, guard) or affix_flip(tokens, line, guard)
        # A negation is local to its clause; the whole sentence is compared only when one line says nearly all of it.
        neg = negated(piece) != negated(line.text)
        if flip and not neg:  # "not enough" against "insufficient" is no flip
            return Finding(CONTRADICTED, f'"{flip[0]}" where the slide says "{flip[1]}"', line)
        # A negation flips a claim only when the line makes that claim: it shares the sentence's
        # words beyond the title's (two at least), not just the topic.
        claim = share >= 0.5 and len((tokens & line.tokens) - titles) >= 2
        # The whole of a sentence cut only at "and"/"while" ("the learning rate and momentum is not
        # important") is one claim; one cut at punctuation holds several, each judged on its own.
        one_claim = local or (share >= 0.75 and not re.search(r"[,;:]", text))
        if neg and not flip and claim and one_claim:
            return Finding(CONTRADICTED, "a negation the slide line does not have (or lacks one it has)", line)
        strong = sweeping(piece, line)
        if strong:
            return Finding(CONTRADICTED, f'"{strong}" where the slide hedges', line)
        only = exclusive(piece, tokens, line)
        if only:
            return Finding(CONTRADICTED, only, line)
        far = _across_lines(piece, tokens, claims, pool, titles, title_text) if local else None
        if far:
            return far
    return None


def _relation_flip(
    piece: str, tokens: frozenset[str], line: Line | None, claims: Sequence[Line], titles: frozenset[str]
) -> Finding | None:
    """An inequality written the other way round, against the aligned line or else its claim ("β-Smooth:" and its formula)."""
    found = flipped_relation(piece, line.text) if line is not None else None
    if found is None:
        claim, _ = align(tokens, claims, titles)
        if claim is not None and claim.headed:
            line, found = claim, flipped_relation(piece, claim.text)
    return Finding(CONTRADICTED, found, line) if found else None


def _across_lines(
    piece: str,
    tokens: frozenset[str],
    claims: Sequence[Line],
    pool: Sequence[Line],
    titles: frozenset[str],
    title_text: str,
) -> Finding | None:
    """The flips that no single best line shows: a swapped pairing, an antonym of a word on another line."""
    pair = swapped_pairing(tokens, claims, titles, title_text)
    if pair:
        return Finding(CONTRADICTED, "pairs a term with another line's property", pair[0])
    far = slide_antonym(tokens, pool, titles, piece) if not negated(piece) else None
    return Finding(CONTRADICTED, far[0], far[1]) if far else None


def says_more(novel: int, claim: int) -> bool:
    """Enough of the claim's words are new (two at least: one new word is how paraphrases differ)."""
    return novel >= NOVEL_MIN and novel / max(claim, 1) > NOVEL_SHARE
