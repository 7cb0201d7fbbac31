"""What the web app shows: HTML for slide cards, bank questions and the bank browser, and the
pure parts of its handlers. No Gradio here; ``app.py`` wires these functions to components.

Every piece of text that came from a PDF or the bank is HTML-escaped. Thumbnails are embedded as
``data:`` URIs read through ``LoadedIndex.thumbnail``, so the server never serves a file path
and the page never fetches an image from anywhere.

Clickable things carry ``data-slide="N"`` (open slide N) or ``data-qid="ID"`` (show a bank
question); ``CLICK_JS`` turns a click on them into a Gradio event with that payload.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from html import escape
from typing import Iterable, Iterator, Sequence

from assistant.bank.parse import Question
from assistant.slide_text import bullets
from assistant.ui.terminal import format_refs, group_ranges, range_label, snippet
from assistant.retrieval.retriever import Result, Retriever, SlideHit, parent_text
from index.records import Slide

CARD_WIDTH = 420  # px of the embedded card thumbnail: sharp on a 2x screen at ~210 px wide
MAX_CHIPS = 16  # chips per question; a longer citation list ends with "+N"
ALL_SECTIONS = "All sections"
MARK_FILTERS = ("all questions", "marked *", "marked -", "unmarked")

INGEST_HELP = (
    "No slides are indexed yet. Build the index once, then restart the app:"
    "<pre>python -m ingest path/to/slides.pdf</pre>"
    "A folder of PDFs works too (numbered in file-name order). Until then, search still finds "
    "matching bank questions and the bank browser works."
)
ANSWER_EMPTY = "*Search to see an answer here.*"


# -- small HTML helpers ----------------------------------------------------------------------------


def _chip(number: int, n_slides: int) -> str:
    if 1 <= number <= n_slides:
        return f'<button class="sb-chip" data-slide="{number}" title="open slide {number}">{number}</button>'
    return f'<span class="sb-chip sb-chip-off" title="slide {number} is not in the index">{number}</span>'


def _runs(numbers: Sequence[int]) -> list[list[int]]:
    """(63, 64, 65, 70) → [[63, 64, 65], [70]], in the order first cited."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def chips_html(refs: Sequence[int], n_slides: int) -> str:
    """A question's cited slides as chips; a run like 63–65 is drawn as one joined chip set."""
    if not refs:
        return '<div class="sb-chips sb-nochips">no slides cited</div>'
    shown = refs[:MAX_CHIPS]
    sets = "".join(f'<span class="sb-chipset">{"".join(_chip(n, n_slides) for n in run)}</span>' for run in _runs(shown))
    more = f'<span class="sb-more">+{len(refs) - len(shown)}</span>' if len(refs) > len(shown) else ""
    return f'<div class="sb-chips" aria-label="{escape(format_refs(refs))}">{sets}{more}</div>'


def _marker(question: Question) -> str:
    if not question.marker:
        return ""
    return f'<span class="sb-mark sb-mark-{"star" if question.marker == "*" else "dash"}" title="your mark">{escape(question.marker)}</span>'


_GREEK = dict(zip("alpha beta gamma delta epsilon varepsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau phi varphi chi psi omega".split(), "αβγδεεζηθικλμνξπρστφφχψω"))
_SYMBOLS = {
    **_GREEK,
    **dict.fromkeys(["mathbb", "mathcal", "mathbf", "mathrm", "text", "left", "right"], ""),
    "Sigma": "\u03a3", "Delta": "\u0394", "Omega": "\u03a9", "Phi": "\u03a6", "Lambda": "\u039b", "Gamma": "\u0393",
    "neq": "\u2260", "ne": "\u2260", "leq": "\u2264", "le": "\u2264", "geq": "\u2265", "ge": "\u2265", "approx": "\u2248",
    "sim": "~", "in": "\u2208", "cdot": "\u00b7", "times": "\u00d7", "infty": "\u221e", "nabla": "\u2207",
    "sum": "\u2211", "prod": "\u220f", "int": "\u222b", "partial": "\u2202", "to": "\u2192", "rightarrow": "\u2192",
    "mid": "|", "|": "\u2016", "log": "log", "exp": "exp", "min": "min", "max": "max", "E": "E",
}
_MATH = re.compile(r"\$([^$]+)\$")
_MACRO = re.compile(r"\\([A-Za-z]+|\|)")


def readable(text: str) -> str:
    """Inline LaTeX of the bank made readable without a math renderer: ``$\\omega$`` → ω."""

    def inline(match: re.Match[str]) -> str:
        body = _MACRO.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(1)), match.group(1))
        return " ".join(body.replace("{", "").replace("}", "").split())

    return _MATH.sub(inline, text)


def _note(text: str, kind: str = "info") -> str:
    return f'<div class="sb-note sb-note-{kind}">{text}</div>'


# -- the view ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlidePanel:
    """What the large slide viewer shows. ``image`` is a PIL image or None."""

    number: int
    image: object
    caption_html: str
    has_prev: bool
    has_next: bool


class WebView:
    """The app's state that lives as long as the server: one retriever, one loaded index.

    Methods return plain strings and records, so tests call them without a browser.
    """

    def __init__(self, retriever: Retriever, notices: Iterable[str] = (), k: int = 8, n_bank: int = 4) -> None:
        self.retriever = retriever
        self.index = retriever.index
        self.notices = tuple(notices)
        self.k = k
        self.n_bank = n_bank
        self._thumbs: dict[int, str | None] = {}
        self._by_id = {q.id: q for q in retriever.bank}

    @property
    def n_slides(self) -> int:
        return len(self.index.slides) if self.index is not None else 0

    # -- header ------------------------------------------------------------------------------

    def status_html(self) -> str:
        bank = f"{len(self.retriever.bank)} bank questions"
        if self.index is None:
            return f'<div class="sb-status">{escape(bank)} · no slides indexed</div>' + _note(INGEST_HELP, "warn")
        decks = ", ".join(escape(d.stem) for d in self.index.manifest.decks)
        return f'<div class="sb-status">{self.n_slides} slides from {decks} · {escape(bank)} · everything stays on this computer</div>'

    # -- thumbnails --------------------------------------------------------------------------

    def thumbnail_uri(self, number: int) -> str | None:
        """Slide ``number``'s thumbnail as a JPEG data URI (cached), or None when there is none."""
        if number not in self._thumbs:
            self._thumbs[number] = self._encode_thumbnail(number)
        return self._thumbs[number]

    def _encode_thumbnail(self, number: int) -> str | None:
        image = self.slide_image(number)
        if image is None:
            return None
        image = image.convert("RGB")
        if image.width > CARD_WIDTH:
            image = image.resize((CARD_WIDTH, round(image.height * CARD_WIDTH / image.width)))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=82)
        return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

    def mini_thumbnail_uri(self, number: int, width: int = 64) -> str | None:
        """A tiny JPEG data URI for the coverage strip (hundreds of slides on one page)."""
        image = self.slide_image(number)
        if image is None:
            return None
        image = image.convert("RGB").resize((width, max(1, round(image.height * width / image.width))))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=60)
        return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

    # -- bank audit --------------------------------------------------------------------------

    def audit_views(self) -> tuple[str, str, list[list[str]], list[list[str]]]:
        """(summary markdown, coverage strip HTML, flagged rows, suggestion rows) for the audit tab."""
        if self.index is None:
            return INGEST_HELP, "", [], []
        from assistant.audit.report import audit_tab_data, coverage_strip_html

        data = audit_tab_data(self.retriever)
        drift = "\n".join(f"- {line}" for line in data["drift"]) or "- no deck drift found: the bank's numbers fit this deck"
        summary = f"**{data['summary']}**\n\n**Deck drift**\n\n{drift}"
        # Thumbnails travel inside the page as data URIs: no file path is ever served.
        strip = coverage_strip_html(data["coverage"], src=lambda number: self.mini_thumbnail_uri(number) or "")
        return summary, strip, data["flags"], data["suggestions"]

    def slide_image(self, number: int):
        """The index's PNG for slide ``number`` as a PIL image; only files of the index's thumbnails folder."""
        path = self.index.thumbnail(number) if self.index is not None else None
        if path is None:
            return None
        from PIL import Image

        try:
            with Image.open(path) as image:
                image.load()
                return image
        except OSError:
            return None

    # -- cards -------------------------------------------------------------------------------

    def card_html(self, slide: Slide, text: str, rank: int | None = None, badge: str = "") -> str:
        uri = self.thumbnail_uri(slide.number)
        alt = escape(f"slide {slide.number}: {slide.title or 'untitled'}", quote=True)
        image = f'<img class="sb-thumb" src="{uri}" alt="{alt}">' if uri else f'<div class="sb-thumb sb-nothumb">no image</div>'
        rank_html = f'<span class="sb-rank" title="rank">#{rank}</span>' if rank else ""
        badge_html = f'<span class="sb-badge">{escape(badge)}</span>' if badge else ""
        return (
            f'<article class="sb-card" data-slide="{slide.number}" id="sb-card-{slide.number}" tabindex="0" '
            f'role="button" title="open slide {slide.number}">'
            f'<div class="sb-thumbwrap">{image}{rank_html}{badge_html}</div>'
            f'<div class="sb-body"><div class="sb-meta"><span class="sb-num">{slide.number}</span>'
            f'<span class="sb-where">{escape(slide.deck)} · p.{slide.page}</span></div>'
            f'<div class="sb-title">{escape(slide.title or "(untitled)")}</div>'
            f'<p class="sb-text">{escape(text)}</p></div></article>'
        )

    def cards_html(self, hits: Sequence[SlideHit], query: str, badge: str = "", ranked: bool = True) -> str:
        """Slide cards, neighbouring slides grouped into one framed range, best range first."""
        rank = {h.slide.number: (i if ranked else None) for i, h in enumerate(hits, start=1)}
        groups: list[str] = []
        for group in group_ranges(hits):
            cards = "".join(self.card_html(h.slide, snippet(h.slide, query), rank[h.slide.number], badge) for h in group)
            if len(group) == 1:
                groups.append(f'<div class="sb-group" style="--n:1">{cards}</div>')
                continue
            first, last = group[0].slide, group[-1].slide
            label = f"slides {range_label(group)} <span>{escape(first.deck)} p.{first.page}\u2013{last.page}</span>"
            groups.append(f'<div class="sb-group sb-range" style="--n:{len(group)}"><div class="sb-range-label">{label}</div>{cards}</div>')
        return f'<div class="sb-results">{"".join(groups)}</div>'

    # -- search tab --------------------------------------------------------------------------

    def search(self, query: str) -> Result:
        return self.retriever.search(query, k=self.k, n_bank=self.n_bank)

    def results_html(self, result: Result) -> str:
        notes = "".join(_note(escape(n)) for n in result.notices if n != "empty query")
        if not result.query:
            return notes + _note("Type a question from your exam, for example <i>explain self attention</i>, and press Enter.")
        if self.index is None:
            return notes + _note(INGEST_HELP, "warn")
        if not result.slides:
            return notes + _note("No slide matches this question.")
        return notes + self.cards_html(result.slides, result.query)

    def bank_matches_html(self, result: Result) -> str:
        if not result.query:
            return ""
        if not result.bank:
            return _note("The bank has no questions.")
        items = []
        for hit in result.bank:
            q = hit.question
            items.append(
                f'<article class="sb-q" data-qid="{escape(q.id)}"><div class="sb-q-section">{escape(q.section)}</div>'
                f'<div class="sb-q-text">{escape(readable(q.text))} {_marker(q)}</div>{chips_html(q.refs, self.n_slides)}</article>'
            )
        return f'<div class="sb-bank">{"".join(items)}</div>'

    # -- the slide viewer --------------------------------------------------------------------

    def slide_panel(self, number: int) -> SlidePanel | None:
        """The large view of slide ``number``, or None when the index has no such slide."""
        if self.index is None or not (1 <= number <= self.n_slides):
            return None
        slide = self.index.slide(number)
        points = "".join(f"<li>{escape(b)}</li>" for b in bullets(slide)[:12])
        cited_by = [q for q in self.retriever.bank if number in q.refs]
        cites = ""
        if cited_by:
            cites = '<div class="sb-citedby">cited by: ' + "".join(
                f'<span class="sb-cite" data-qid="{escape(q.id)}">{escape(readable(q.text))}</span>' for q in cited_by[:4]
            ) + "</div>"
        caption = (
            f'<div class="sb-viewer-head"><span class="sb-num">{slide.number}</span>'
            f'<span class="sb-viewer-title">{escape(slide.title or "(untitled)")}</span>'
            f'<span class="sb-where">{escape(slide.deck)} · p.{slide.page} · {number} of {self.n_slides}</span></div>'
            f'{cites}<ul class="sb-points">{points}</ul>'
        )
        return SlidePanel(number, self.slide_image(number), caption, number > 1, number < self.n_slides)

    # -- answer panel ------------------------------------------------------------------------

    def answer_markdown(self, result: Result | None, backend: str = "extractive", model: str = "") -> Iterator[str]:
        """The answer as it grows (the same function the CLI's --answer calls), with abstention
        calibrated once per app on this deck and bank."""
        if result is None or not result.query:
            yield ANSWER_EMPTY
            return
        from assistant.answer.generate import stream_answer
        from assistant.answer.confidence import calibrate, query_confidence

        if not hasattr(self, "_threshold"):
            self._threshold = calibrate(self.retriever)
        options = {"confidence": query_confidence(self.retriever, result.query), "threshold": self._threshold}
        if backend != "extractive":
            options["model"] = model.strip() or None
            yield "*Loading the language model and writing…*"
        try:
            for text in stream_answer(result, backend, **options):
                yield text
        except Exception as exc:  # noqa: BLE001 - a model that fails to load must not break the page
            yield f"*The answer could not be written: {escape(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)}*"

    # -- bank browser ------------------------------------------------------------------------

    def sections(self) -> list[str]:
        """Section names in bank order, with ``ALL_SECTIONS`` first."""
        return [ALL_SECTIONS, *dict.fromkeys(q.section for q in self.retriever.bank)]

    def section_choices(self) -> list[tuple[str, str]]:
        counts: dict[str, int] = {}
        for q in self.retriever.bank:
            counts[q.section] = counts.get(q.section, 0) + 1
        return [(f"{ALL_SECTIONS} ({len(self.retriever.bank)})", ALL_SECTIONS)] + [(f"{s} ({counts[s]})", s) for s in self.sections()[1:]]

    def bank_list_html(self, section: str = ALL_SECTIONS, marks: str = MARK_FILTERS[0], selected: str | None = None) -> str:
        """The bank as sections → questions (nested ones indented), with marks and chips."""
        wanted = {"marked *": "*", "marked -": "-", "unmarked": ""}.get(marks)
        blocks: list[str] = []
        for name in self.sections()[1:]:
            if section not in (ALL_SECTIONS, name):
                continue
            rows = []
            for q in self.retriever.bank:
                if q.section != name or (wanted is not None and q.marker != wanted):
                    continue
                chosen = " sb-selected" if q.id == selected else ""
                rows.append(
                    f'<li class="sb-bq{chosen}" data-qid="{escape(q.id)}" style="--depth:{q.depth}" tabindex="0" role="button">'
                    f'<span class="sb-bq-text">{escape(readable(q.text))}</span>{_marker(q)}{chips_html(q.refs, self.n_slides)}</li>'
                )
            if rows:
                blocks.append(f'<section class="sb-section"><h3>{escape(name)} <span>{len(rows)}</span></h3><ul>{"".join(rows)}</ul></section>')
        return f'<div class="sb-banklist">{"".join(blocks)}</div>' if blocks else _note("No questions match this filter.")

    def question_html(self, qid: str | None) -> str:
        """One bank question with its cited slides, or (citing nothing) the slides search suggests."""
        q = self._by_id.get(qid or "")
        if q is None:
            return _note("Click a question to see its slides.")
        head = (
            f'<div class="sb-qdetail"><div class="sb-q-section">{escape(q.section)}</div>'
            f'<div class="sb-qdetail-text">{escape(readable(q.text))} {_marker(q)}</div>'
        )
        if self.index is None:
            return head + f"<div>{escape(format_refs(q.refs))}</div></div>" + _note(INGEST_HELP, "warn")
        if q.refs:
            hits = [SlideHit(self.index.slide(n), 0.0) for n in q.refs if 1 <= n <= self.n_slides]
            missing = [n for n in q.refs if not 1 <= n <= self.n_slides]
            extra = _note(f"not in the index: {', '.join(map(str, missing))}", "warn") if missing else ""
            body = f'<div class="sb-qdetail-sub">cites {escape(format_refs(q.refs))}</div></div>{extra}'
            return head + body + self.cards_html(self._in_order(hits), q.text, ranked=False)
        # Leave-one-out: the question itself never votes for its own suggestions.
        result = self.retriever.search(
            q.text, k=min(self.k, 6), n_bank=0, exclude=(q.id,), section=q.section, context=parent_text(self.retriever.bank, q)
        )
        body = '<div class="sb-qdetail-sub sb-suggest">cites no slides · these are suggested by search</div></div>'
        return head + body + self.cards_html(result.slides, q.text, badge="suggested")

    @staticmethod
    def _in_order(hits: list[SlideHit]) -> list[SlideHit]:
        # Cited slides in slide order, so a citation like (63-65) reads as one range.
        return sorted(hits, key=lambda h: h.slide.number)


# -- browser glue ------------------------------------------------------------------------------------

# Runs once per gr.HTML; clicks bubble up to its root, which survives re-renders of the content.
CLICK_JS = """
const fire = (e) => {
  const slide = e.target.closest('[data-slide]');
  if (slide && element.contains(slide)) { e.preventDefault(); trigger('click', {slide: Number(slide.dataset.slide)}); return; }
  const q = e.target.closest('[data-qid]');
  if (q && element.contains(q)) { trigger('click', {qid: q.dataset.qid}); }
};
element.addEventListener('click', fire);
element.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') fire(e); });
"""


def clicked(data: dict | None) -> tuple[int | None, str | None]:
    """(slide number, question id) from a click's payload; each None when absent or malformed."""
    data = data or {}
    slide = data.get("slide")
    try:
        number = int(slide) if slide is not None else None
    except (TypeError, ValueError):
        number = None
    qid = data.get("qid")
    return number, qid if isinstance(qid, str) else None


CSS = """
.sb-status { color: var(--body-text-color-subdued); font-size: 0.92rem; margin: -4px 0 6px; }
.sb-note { border-radius: 10px; padding: 10px 14px; margin: 6px 0; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); }
.sb-note-warn { border-color: #e0a100; background: color-mix(in srgb, #e0a100 10%, var(--background-fill-primary)); }
.sb-note pre { margin: 8px 0; padding: 6px 10px; border-radius: 6px; background: var(--background-fill-primary); }

.sb-results { display: flex; flex-wrap: wrap; gap: 14px; align-items: stretch; }
.sb-group { display: flex; flex-wrap: wrap; gap: 12px; flex: var(--n) 1 calc(var(--n) * 215px);
  max-width: calc(var(--n) * 290px); }
.sb-range { position: relative; padding: 26px 10px 10px; border-radius: 14px;
  background: color-mix(in srgb, var(--color-accent) 7%, transparent);
  border: 1px dashed color-mix(in srgb, var(--color-accent) 45%, transparent); }
.sb-range-label { position: absolute; top: 5px; left: 12px; font-size: 0.78rem; font-weight: 600;
  color: var(--color-accent); text-transform: uppercase; letter-spacing: 0.04em; }
.sb-range-label span { text-transform: none; font-weight: 400; color: var(--body-text-color-subdued); margin-left: 6px; }

.sb-card { flex: 1 1 200px; min-width: 0; display: flex; flex-direction: column; cursor: pointer; overflow: hidden;
  border-radius: 12px; background: var(--block-background-fill); border: 1px solid var(--border-color-primary);
  box-shadow: 0 1px 2px rgba(0,0,0,.05); transition: transform .12s ease, box-shadow .12s ease, border-color .12s; }
.sb-card:hover, .sb-card:focus-visible { transform: translateY(-2px); box-shadow: 0 6px 18px rgba(0,0,0,.10);
  border-color: var(--color-accent); outline: none; }
.sb-thumbwrap { position: relative; background: #fff; border-bottom: 1px solid var(--border-color-primary); }
.sb-thumb { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: #fff; }
.sb-nothumb { display: flex; align-items: center; justify-content: center; color: #888; }
.sb-rank, .sb-badge { position: absolute; bottom: 6px; font-size: 0.72rem; font-weight: 600; padding: 1px 7px;
  border-radius: 999px; background: rgba(20,20,30,.72); color: #fff; }
.sb-rank { left: 6px; }
.sb-badge { right: 6px; background: #b26b00; }
.sb-body { padding: 8px 11px 11px; }
.sb-meta { display: flex; align-items: baseline; gap: 8px; }
.sb-num { font-weight: 700; font-size: 1.05rem; color: var(--color-accent); font-variant-numeric: tabular-nums; }
.sb-where { color: var(--body-text-color-subdued); font-size: 0.8rem; }
.sb-title { font-weight: 600; margin: 2px 0 4px; line-height: 1.25; }
.sb-text { margin: 0; font-size: 0.84rem; line-height: 1.35; color: var(--body-text-color-subdued);
  display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }

.sb-bank { display: flex; flex-direction: column; gap: 10px; }
.sb-q { padding: 10px 12px; border-radius: 12px; background: var(--block-background-fill);
  border: 1px solid var(--border-color-primary); border-left: 4px solid var(--color-accent); }
.sb-q-section { font-size: 0.74rem; text-transform: uppercase; letter-spacing: .05em; color: var(--body-text-color-subdued); }
.sb-q-text { margin: 3px 0 6px; line-height: 1.35; }
.sb-chips { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 4px; }
.sb-nochips { white-space: nowrap; font-size: 0.8rem; color: var(--body-text-color-subdued); font-style: italic; }
.sb-chipset { display: inline-flex; align-items: stretch; }
.sb-chip { font: inherit; font-size: 0.8rem; font-variant-numeric: tabular-nums; padding: 2px 9px; cursor: pointer;
  border: 1px solid color-mix(in srgb, var(--color-accent) 55%, transparent); margin: 0 0 0 -1px; line-height: 1.4;
  background: color-mix(in srgb, var(--color-accent) 10%, var(--background-fill-primary)); color: var(--body-text-color); }
.sb-chipset .sb-chip:first-child { border-radius: 999px 0 0 999px; margin-left: 0; }
.sb-chipset .sb-chip:last-child { border-radius: 0 999px 999px 0; }
.sb-chipset .sb-chip:only-child { border-radius: 999px; }
.sb-chip:hover { background: var(--color-accent); color: #fff; }
.sb-chip-off { opacity: .5; cursor: not-allowed; }
.sb-more { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.sb-mark { display: inline-block; min-width: 1.3em; text-align: center; font-weight: 700; border-radius: 6px;
  padding: 0 5px; margin-left: 4px; font-size: 0.85rem; }
.sb-mark-star { background: #fff1c2; color: #8a5a00; }
.sb-mark-dash { background: var(--background-fill-secondary); color: var(--body-text-color-subdued); }

.sb-viewer-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 10px; }
.sb-viewer-title { font-weight: 650; font-size: 1.1rem; }
.sb-points { margin: 6px 0 0 18px; font-size: 0.9rem; line-height: 1.4; }
.sb-citedby { margin-top: 6px; font-size: 0.84rem; color: var(--body-text-color-subdued); }
.sb-cite { display: inline-block; margin: 2px 6px 2px 0; padding: 1px 8px; border-radius: 8px;
  background: var(--background-fill-secondary); color: var(--body-text-color); }

.sb-banklist h3 { margin: 14px 0 6px; font-size: 1rem; }
.sb-banklist h3 span { font-weight: 400; font-size: 0.8rem; color: var(--body-text-color-subdued); margin-left: 6px; }
.sb-banklist ul { list-style: none; margin: 0; padding: 0; }
.sb-bq { display: flex; align-items: baseline; gap: 8px; padding: 7px 10px; margin: 0 0 3px calc(var(--depth) * 22px);
  border-radius: 10px; cursor: pointer; border: 1px solid transparent; line-height: 1.35; }
.sb-bq-text { flex: 1 1 auto; }
.sb-bq .sb-mark { flex: none; }
.sb-bq:hover, .sb-bq:focus-visible { background: var(--background-fill-secondary); outline: none; }
.sb-bq.sb-selected { border-color: var(--color-accent); background: color-mix(in srgb, var(--color-accent) 8%, transparent); }
.sb-bq .sb-chips { margin-top: 0; flex: 0 1 auto; justify-content: flex-end; }
.sb-qdetail { margin-bottom: 12px; }
.sb-qdetail-text { font-size: 1.1rem; font-weight: 600; margin: 4px 0; line-height: 1.35; }
.sb-qdetail-sub { color: var(--body-text-color-subdued); font-size: 0.88rem; }
.sb-suggest { color: #b26b00; }
#sb-title h1 { margin-bottom: 0; }
"""
