"""Where the project and the course material live, seen from the tests."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The course material sits beside the checkout; SLIDEBANK_SHARED points elsewhere (another checkout of the tree).
SHARED = Path(os.environ.get("SLIDEBANK_SHARED") or ROOT.parent / "shared")
REAL_DECK = SHARED / "slides" / "aml-slides.pdf"
WEEKS = SHARED / "slides" / "weeks"
REAL_BANK = SHARED / "question_bank.md"
OTHER_COURSE = SHARED / "slides-other" / "mathematics-of-ml"  # a LaTeX Beamer course, lectures as separate PDFs
