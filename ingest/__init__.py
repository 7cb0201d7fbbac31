"""Turn lecture PDFs into a slide index: ``python -m ingest slides.pdf``."""
