"""The extractive answer: one or two slides, said whole, in the slide's own words.

A slide's body is read as bullets: a line with a bullet mark starts one, a line without continues
it (a PDF wraps long bullets). Sub-bullets (a second-level mark such as "–" or "◦") stay with their
parent. A bullet ending in ":" is completed by the lines under it, up to the next such line (a list
keeps its items); when the text shows that something the text does not hold stands there (nothing
follows, or the next line refers back to it) the answer says "(formula on the slide)" where the line
promises a formula, "(shown on the slide)" otherwise, instead of ending on a dangling fragment
(``assistant.answer.layout`` holds the rules). A short slide is said whole; a long one keeps its
whole bullets that share most words with the question.

Navigation is text about the course rather than the topic. It is recognised by the shape a deck
gives it, not by any phrase of a particular course:

- a line that points in course time ("last week: ...", "this lecture ...", "Week 3", "(you are here)");
- an agenda slide: a course-time title ("Weeks 1-2: ...", "Outline", "Agenda"), two or more
  course-time lines, or a body that mostly lists other slides' titles;
- a divider slide: fewer than four content words once navigation is gone.

Pure and deterministic; no model. The deck's title set is computed once per index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from assistant.answer.citations import citations_as_text, strip_citations
from assistant.answer.layout import (
    DANGLING,
    completion,
    last_word,
    opens,
    topic_words,
    with_note,
    without_notes,
)
from index.lexical import tokenize
from index.records import Slide

MAX_SLIDES = 2  # one or two slides said well, not five fragments
MAX_GROUPS = 6  # bullets (with their sub-bullets or items) kept from a long slide
WHOLE_SLIDE_WORDS = 90  # a slide this short is said whole (95% of the first course's content slides are)

_TOP = re.compile(r"^\s*(?:[\u2022\u25cf\u25a0\u25aa\u2023*]|\d{1,2}[.)])\s*")
_SUB = re.compile(r"^\s*[\u2013\u2014\-\u25e6\u25cb\u2043\u00b7\u25ab]\s+")
_TIME = r"(?:last|this|next|previous|coming|following|today'?s?)\s+(?:weeks?|lectures?|class(?:es)?|sessions?|lessons?|modules?)"
_NUMBERED = r"(?:weeks?|lectures?|sessions?|lessons?|modules?|units?|chapters?)\s*\d+(?:\s*[-\u2013]\s*\d+)?"
_NAV = re.compile(rf"\b(?:{_TIME}|{_NUMBERED})\b|\byou are here\b", re.IGNORECASE)
_HERE = re.compile(r"\byou are here\b", re.IGNORECASE)
_NAV_PAREN = re.compile(
    rf"\s*\((?:[^()]*?,\s*)?(?:{_TIME}|{_NUMBERED}|you are here|(?:see\s+)?(?:next|previous|last|following)\s+slides?|see\s+slides?\s*\d+)\s*\)",
    re.IGNORECASE,
)
_NAV_PREFIX = re.compile(rf"^\s*(?:{_TIME}|{_NUMBERED})\s*[:\u2013\u2014-]\s*", re.IGNORECASE)
_AGENDA_TITLE = re.compile(
    r"^\s*(?:(?:today'?s?|lecture|course|class)\s+)?(?:agenda|outline|contents|table of contents|roadmap|plan)\s*:?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Bullet:
    text: str
    children: tuple[str, ...] = ()

    @property
    def sentence(self) -> str:
        if not self.children:
            return self.text
        return f"{self.text} {'; '.join(self.children)}"


def is_navigation(line: str) -> bool:
    """A line about the course's calendar rather than the topic (after navigation in brackets is removed)."""
    if _HERE.search(line):  # an agenda's pointer, whatever the line lists
        return True
    return bool(_NAV.search(_NAV_PAREN.sub("", line)))


def _clean(line: str) -> str:
    # A slide's own "[slide 1]" is quoted as words, never a citation of the answer.
    return " ".join(_NAV_PAREN.sub("", citations_as_text(line)).split())


def _complete(text: str) -> str:
    """The bullet, or the bullet plus a note when it stops where the slide shows what the text lacks."""
    stripped = text.rstrip()
    return with_note(stripped, completion(stripped, ())) if opens(stripped) else stripped


def _lines(slide: Slide) -> list[tuple[int, str]]:
    """(level, text) per bullet, PDF line wraps joined back; level 0 top, 1 sub-bullet."""
    out: list[tuple[int, str]] = []
    for raw in slide.text.splitlines()[1:]:
        if not raw.strip():
            continue
        if _SUB.match(raw):
            out.append((1, _SUB.sub("", raw).strip()))
        elif _TOP.match(raw) or not out or not _continues(out[-1][1], raw.strip()):
            out.append((0, _TOP.sub("", raw).strip()))
        else:
            level, text = out[-1]
            out[-1] = (level, f"{text} {raw.strip()}")
    return [(lv, t) for lv, t in out if t]


def _continues(previous: str, line: str) -> bool:
    """An unmarked line continues the previous one when the PDF wrapped it: it starts in lower case
    (or with a non-letter), or the previous line stops mid-phrase."""
    if not line or not previous:
        return False
    if not line[0].isalpha() or line[0].islower():
        return True
    return (
        previous.rstrip().endswith((",", "(", "-", "\u2013", "/"))
        or last_word(previous) in DANGLING
        and not previous.rstrip().endswith((".", ":", ")"))
    )


def parse_bullets(slide: Slide) -> list[Bullet]:
    """The slide body as whole bullets in slide order, navigation dropped, every colon completed."""
    lines = [(lv, _clean(t)) for lv, t in _lines(slide) if not is_navigation(t)]
    lines = [(lv, t) for lv, t in lines if t]
    groups: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(lines):
        level, text = lines[i]
        if level == 1 and groups:
            groups[-1][1].append(text)
            i += 1
            continue
        children: list[str] = []
        i += 1
        while i < len(lines) and lines[i][0] == 1:
            children.append(lines[i][1])
            i += 1
        if opens(text) and not children:
            # "They are good at:" then its items, up to the next line that announces its own.
            end = i
            while end < len(lines) and not opens(lines[end][1]):
                end += 1
            following = [t for _, t in lines[i:end]]
            kind = completion(text, following)
            if kind == "items":
                children, i = following, end
            else:
                text = with_note(text, kind)
        groups.append((text, children))
    return [Bullet(text, tuple(_complete(c) for c in children)) for text, children in groups]


class DeckProfile:
    """What the deck itself says about its structure: the titles of its slides."""

    def __init__(self, slides: Sequence[Slide]) -> None:
        self.titles = frozenset(_key(s.title) for s in slides if s.title)
        # has_content per slide number: the same top slides come back query after query.
        self.content: dict[int, bool] = {}

    def is_agenda(self, slide: Slide) -> bool:
        title = slide.title or ""
        if _AGENDA_TITLE.match(title) or re.match(rf"^\s*{_NUMBERED}\b", title, re.IGNORECASE):
            return True
        lines = [t for _, t in _lines(slide)]
        if not lines:
            return False
        if sum(is_navigation(t) for t in lines) >= 2 or any(_HERE.search(t) for t in lines):
            return True
        own = _key(title)
        listed = sum(_key(t) in self.titles and _key(t) != own for t in lines)
        return len(lines) >= 3 and listed * 2 >= len(lines)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def display_title(slide: Slide) -> str:
    title = " ".join(_NAV_PREFIX.sub("", citations_as_text(slide.title or "")).split()).rstrip(":")
    return title or "(untitled)"


def has_content(slide: Slide, profile: DeckProfile | None) -> bool:
    """Not image-only, not an agenda or divider slide: four or more content words once navigation is gone."""
    if profile is None:
        return _has_content(slide, None)
    known = profile.content.get(slide.number)
    if known is None:
        known = profile.content[slide.number] = _has_content(slide, profile)
    return known


def _has_content(slide: Slide, profile: DeckProfile | None) -> bool:
    if slide.image_only or (profile is not None and profile.is_agenda(slide)):
        return False
    return len(tokenize(" ".join(b.sentence for b in parse_bullets(slide)))) >= 4


def choose(hits: Sequence[Slide], query: str) -> list[Slide]:
    """The top slide, and a second only when it is on the question's topic: a neighbour that continues
    the first (shared title words) or shares a topic word of the question, or any slide that shares
    at least one topic word and as many as the first. Topic words leave out the words that shape a
    question ("why", "explain"), which a title such as "Why ..." would otherwise match."""
    if not hits:
        return []
    wanted = topic_words(query)

    def overlap(s: Slide) -> int:
        return len(wanted & set(tokenize(s.text)))

    first = hits[0]
    picked = [first]
    for other in hits[1:]:
        if len(picked) >= MAX_SLIDES:
            break
        adjacent = abs(other.number - first.number) == 1 and other.deck == first.deck
        related = bool(topic_words(other.title) & topic_words(first.title)) or overlap(other) > 0
        if (adjacent and related) or (overlap(other) and overlap(other) >= overlap(first)):
            picked.append(other)
    return (
        sorted(picked, key=lambda s: s.number)
        if len(picked) == 2 and abs(picked[0].number - picked[1].number) == 1
        else picked
    )


def pick_bullets(bullets: list[Bullet], query: str) -> list[Bullet]:
    """A short slide whole; a long one its whole bullets (a list with its items) that share most
    topic words with the question, in slide order."""
    if len(bullets) <= MAX_GROUPS or sum(len(b.sentence.split()) for b in bullets) <= WHOLE_SLIDE_WORDS:
        return bullets
    wanted = topic_words(query)
    ranked = sorted(range(len(bullets)), key=lambda i: (-len(wanted & set(tokenize(bullets[i].sentence))), i))
    return [bullets[i] for i in sorted(ranked[:MAX_GROUPS])]


def extract(slides: Sequence[Slide], query: str) -> list[tuple[Slide, list[Bullet]]]:
    """``slides``: the content slides an answer may cite, best first. Returns the chosen slides'
    bullets, in slide order."""
    return [(slide, pick_bullets(parse_bullets(slide), query)) for slide in choose(slides, query)]


def source_lines(slide: Slide, query: str) -> str:
    """The slide for a model's prompt: its title, then one line per bullet (a list's items on its
    line), the bullets an extractive answer would quote, without our notes."""
    points = [without_notes(b.sentence) for b in pick_bullets(parse_bullets(slide), query)]
    return "\n".join([display_title(slide), *(p for p in points if p)])


def render(picked: Sequence[tuple[Slide, Sequence[Bullet]]]) -> str:
    """Slide number and title, then its bullets with their sub-bullets indented under them."""
    lines: list[str] = []
    for slide, bullets in picked:
        if not bullets:
            continue
        if lines:
            lines.append("")
        lines.append(f"{_HEADING_START}{slide.number} \u2014 {display_title(slide)}")
        for bullet in bullets:
            lines.append(f"{_POINT}{bullet.text}")
            lines.extend(f"{_SUB_POINT}{c}" for c in bullet.children)
    return "\n".join(lines)


_HEADING_START = "Slide "
_POINT = "- "
_SUB_POINT = "  - "
_HEADING = re.compile(r"Slide (\d+) \u2014 (.*)")


class RenderedLine(NamedTuple):
    """One line of a rendered extractive answer, read back by the web panel."""

    kind: str  # "heading" (the slide's number and title), "point" (a bullet) or "sub" (a sub-bullet under it)
    text: str  # the slide's words, never parsed further: a "[slide N]" in them stays text
    slide: int | None = None  # the heading's slide number


def read_rendered(text: str) -> list[RenderedLine]:
    """The lines ``render`` wrote, by kind. Every line ``render`` writes starts with its kind's own
    prefix, and bullets and sub-bullets are indented or dashed, so slide text cannot pass for a heading."""
    out: list[RenderedLine] = []
    for line in text.splitlines():
        if line.startswith(_SUB_POINT):
            out.append(RenderedLine("sub", line[len(_SUB_POINT) :]))
        elif line.startswith(_POINT):
            out.append(RenderedLine("point", line[len(_POINT) :]))
        elif (heading := _HEADING.fullmatch(line)) is not None:
            out.append(RenderedLine("heading", heading.group(2), int(heading.group(1))))
        elif line.strip():
            out.append(RenderedLine("point", line))
    return out


# -- key points: the study answer key ------------------------------------------------------------

KEY_SLIDES = 3


def key_points(slides: Sequence[Slide], query: str) -> str:
    """The study card's answer key: the same bullets an extractive answer quotes (lists with their
    items, colons completed, a long slide trimmed to the bullets nearest the question), for each of
    the first three slides with text that the card cites (all shown rather than chosen like an
    answer's), each bullet followed by ``[slide N]`` and its items indented under it. A slide's own
    citation markup is quoted as words, as in the answer."""
    lines: list[str] = []
    for slide in [s for s in slides if not s.image_only][:KEY_SLIDES]:
        bullets = pick_bullets(parse_bullets(slide), query)
        if not bullets and slide.title:
            bullets = [Bullet(_clean(slide.title))]
        for bullet in bullets:
            lines.append(f"- {_key_sentence(bullet.text)} [slide {slide.number}]")
            lines.extend(f"  - {_key_sentence(child)}" for child in bullet.children)
    return "\n".join(lines)


def _key_sentence(text: str) -> str:
    return " ".join(strip_citations(text).split()).rstrip(" ;")
