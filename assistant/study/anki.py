"""Export the bank as an Anki deck (``.apkg``) through ``genanki``.

One note per bank question. The back shows the slides that answer it (cited, or suggested and
marked so) as images from the index's thumbnails, with their numbers and titles. Subdecks per
section, tags from the marks and the section. The note GUID comes from the question's id (the id
it was first studied under, when the study file knows it), so a re-export updates the notes in
Anki instead of adding copies; the model and deck ids are fixed for the same reason.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.study.cards import StudyCard
from assistant.study.session import AnswerKey
from index.errors import InputError

if TYPE_CHECKING:
    from index.store import LoadedIndex

MODEL_ID = 1_734_015_501  # fixed: Anki recognises the note type across exports by this id
MODEL_NAME = "slidebank question"
ROOT_DECK = "slidebank"

CSS = """
.card { font-family: system-ui, sans-serif; font-size: 19px; text-align: left; color: #1d1d1f; background: #fff; }
.section { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #666; }
.mark { font-weight: bold; color: #8a5a00; }
.suggested { color: #b26b00; font-weight: 600; }
.slide { margin: 12px 0; }
.slide img { max-width: 100%; border: 1px solid #ccc; border-radius: 6px; }
.slide-head { font-size: 15px; margin-bottom: 4px; }
.num { font-weight: bold; color: #3f51b5; margin-right: 6px; }
"""
FRONT = '<div class="section">{{Section}}</div><div class="question">{{Question}}</div>'
BACK = '{{FrontSide}}<hr id="answer">{{Answer}}'


@dataclass(frozen=True)
class ExportReport:
    notes: int
    images: int
    suggested: int  # notes whose back holds suggestions, not references
    without_slides: int


def note_guid(qid: str) -> str:
    import genanki

    return genanki.guid_for("slidebank", qid)


def _stable_id(name: str) -> int:
    # Anki deck ids are 31-bit positive ints here; derived from the name so a re-export reuses them.
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) & 0x7FFF_FFFF | 1 << 30


def tag_of(text: str) -> str:
    """Anki tags cannot hold spaces: ``"week 1 introduction"`` → ``"week_1_introduction"``."""
    return re.sub(r"[^\w]+", "_", text).strip("_").lower() or "untitled"


def deck_name(root: str, section: str) -> str:
    """One subdeck per section. Anki nests decks at every ``::``, so any run of colons in a section
    name becomes one colon: ``a:::b`` is the deck ``a:b``, never ``a`` holding ``b``."""
    return f"{root}::{re.sub(r':{2,}', ':', section) or 'untitled'}"


def media_name(index: LoadedIndex, number: int) -> str:
    """A media file name unique to this deck's content, since Anki's media folder is shared by all decks."""
    digest = hashlib.sha256("".join(d.sha256 for d in index.manifest.decks).encode()).hexdigest()[:10]
    return f"slidebank-{digest}-{number:04d}.png"


def back_html(key: AnswerKey, media: Mapping[int, str]) -> str:
    parts = []
    if key.suggested and key.slides:
        parts.append(
            '<div class="suggested">Suggested slides: the question cites none; these were found by search, check them.</div>'
        )
    elif not key.slides:
        parts.append('<div class="suggested">No slides: the question cites none and nothing was suggested.</div>')
    for number, title in zip(key.slides, key.titles):
        image = f'<img src="{html.escape(media[number], quote=True)}">' if number in media else ""
        parts.append(
            f'<div class="slide"><div class="slide-head"><span class="num">{number}</span>{html.escape(title or "(untitled)")}</div>{image}</div>'
        )
    if key.missing:
        parts.append(f"<div>Cited but not in the slides: {', '.join(map(str, key.missing))}</div>")
    return "".join(parts)


def build_package(
    cards: Sequence[StudyCard],
    keys: Mapping[str, AnswerKey],
    index: LoadedIndex | None,
    media_dir: Path,
    origins: Mapping[str, str] | None = None,
    root: str = ROOT_DECK,
):
    """The genanki package and what it holds; slide images are copied into ``media_dir``."""
    import genanki

    model = genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": "Question"}, {"name": "Section"}, {"name": "Answer"}, {"name": "Slides"}],
        templates=[{"name": "Card 1", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
    )
    decks: dict[str, genanki.Deck] = {}
    media: dict[int, str] = {}
    files: list[str] = []
    suggested = empty = 0
    for card in cards:
        key = keys[card.qid]
        for number in key.slides:
            if number in media or index is None:
                continue
            source = index.thumbnail(number)
            if source is None:
                continue
            media[number] = media_name(index, number)
            target = media_dir / media[number]
            shutil.copyfile(source, target)
            files.append(str(target))
        name = deck_name(root, card.section)
        deck = decks.setdefault(name, genanki.Deck(_stable_id(name), name))
        mark = f' <span class="mark">{html.escape(card.marker)}</span>' if card.marker else ""
        tags = ["section::" + tag_of(card.section)]
        tags += {"*": ["marked_star"], "-": ["marked_dash"]}.get(card.marker, [])
        if key.suggested and key.slides:
            tags.append("suggested_slides")
            suggested += 1
        empty += not key.slides
        fields = [
            html.escape(card.text) + mark,
            html.escape(card.section),
            back_html(key, media),
            " ".join(map(str, key.slides)),
        ]
        deck.add_note(
            genanki.Note(model=model, fields=fields, tags=tags, guid=note_guid((origins or {}).get(card.qid, card.qid)))
        )
    package = genanki.Package(list(decks.values()), media_files=files)
    return package, ExportReport(len(cards), len(files), suggested, empty)


def check_target(path: Path) -> None:
    """An error naming ``path`` when no deck can be written there (checked before any work)."""
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name, e.g. {path / 'slidebank.apkg'}")
    if not path.resolve().parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    probe = _partial(path)  # the temp file the deck is written to: a folder that refuses it refuses the deck
    try:
        probe.open("xb").close()
        probe.unlink()
    except FileExistsError:
        pass  # left by an earlier process with this id; the write replaces it
    except OSError as exc:
        raise InputError(f"cannot write {path} ({exc.strerror or exc})") from None


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def export_apkg(
    path: Path,
    cards: Sequence[StudyCard],
    keys: Mapping[str, AnswerKey],
    index: LoadedIndex | None,
    origins: Mapping[str, str] | None = None,
    root: str = ROOT_DECK,
) -> ExportReport:
    """Write ``path`` atomically: a half-written deck never replaces a good one. Errors name
    ``path`` as the user gave it, never the temp file beside it."""
    path = Path(path)
    check_target(path)
    with tempfile.TemporaryDirectory(prefix="slidebank-anki-") as tmp:
        package, report = build_package(cards, keys, index, Path(tmp), origins, root)
        partial = _partial(path)
        try:
            package.write_to_file(str(partial))
            os.replace(partial, path)
        except OSError as exc:
            raise InputError(f"cannot write {path} ({exc.strerror or exc})") from None
        finally:
            try:
                partial.unlink(missing_ok=True)
            except OSError:
                pass  # a folder where nothing can be written holds no temp file either
    return report
