"""Study mode: the question bank as spaced-repetition cards whose answer key is the slides.

``cards`` (bank questions → card records, matching an edited bank to the stored history),
``schedule`` (the FSRS scheduler behind an injectable clock), ``store`` (SQLite state, one
transaction per grade), ``queue`` (what to study next, with or without an exam date),
``progress`` (per-section numbers), ``anki`` (``.apkg`` export), ``cli`` (``python -m assistant.study``).
"""
