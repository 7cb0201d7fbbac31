"""A deck and a bank full of markup that would make a browser fetch from, or link to, another
address if any panel rendered it: for the escaping tests and the Chromium test."""

from __future__ import annotations

from pathlib import Path

# Hosts that must never be contacted or linked; the tests look for these names in the DOM.
OUTSIDE = ("tracker.example", "phish.example", "10.9.8.7")

PAYLOADS = (
    "![x](http://tracker.example/md.png)",
    '<img src="http://tracker.example/img.png">',
    '<picture><source srcset="http://tracker.example/pic.png"></picture>',
    '<audio autoplay src="http://tracker.example/a.mp3"></audio>',
    '<div style="background:url(http://tracker.example/bg.png)">bg</div>',
    '<a href="http://phish.example/login">Log in to see the full slide</a>',
    "[Log in to see the full slide](http://phish.example/md)",
    '<iframe src="http://10.9.8.7/frame"></iframe>',
    '<video poster="http://tracker.example/v.png"></video>',
    '<svg><image href="http://tracker.example/s.png"/></svg>',
    '<link rel="stylesheet" href="http://tracker.example/c.css">',
    "<script>fetch('http://tracker.example/js')</script>",
    "http://phish.example/bare",
)

# Every slide carries the same study words, so a search for them shows every payload slide.
WORDS = "gradient momentum tracker"


# One word of each page's own: a line that stands on most pages of a PDF is boilerplate and is never
# indexed (ingest/boilerplate.py), so identical payload lines on every page would reach no panel.
PAGE_WORDS = ("apple", "birch", "cedar", "daisy", "elm", "fern")


def hostile_pages() -> list[tuple[str, list[str]]]:
    """(title, lines) per page, for ``make_pdf``: one payload as the title, all of them as lines."""
    return [
        (f"{payload} {WORDS}", [f"{WORDS} {p} {own}" for p in PAYLOADS])
        for payload, own in zip(PAYLOADS[:6], PAGE_WORDS)
    ]


def hostile_bank(path: Path) -> Path:
    """A bank whose sections and questions are payloads, citing the hostile deck's slides."""
    lines = ["## <img src=http://tracker.example/h.png> bank", ""]
    for i, payload in enumerate(PAYLOADS):
        if i % 4 == 0:
            lines += ["", f"### {payload} section {i}", ""]
        lines.append(f"- {WORDS} {payload} ({1 + i % 6}) \\*")
    lines.append(f"- {WORDS} {PAYLOADS[0]} without a reference")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
