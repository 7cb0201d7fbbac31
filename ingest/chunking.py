"""Slides to chunks (langchain-text-splitters). Pure functions; a chunk never spans two slides."""

from __future__ import annotations

from functools import lru_cache

from index.records import Chunk, Slide

DEFAULT_CHUNK_SIZE = 400
DEFAULT_CHUNK_OVERLAP = 80


@lru_cache(maxsize=8)
def _splitter(size: int, overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    # Lines first: a slide line is usually one bullet, the unit a student reads.
    return RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap, separators=["\n", ". ", " ", ""])


def chunk_slide(slide: Slide, size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_CHUNK_OVERLAP) -> list[Chunk]:
    """Text chunks (one for a short slide, title-prefixed windows for a long one), then a title chunk.

    The title travels with every piece so that "it", "this loss" and "(2)" keep their topic.
    """
    chunks = _text_chunks(slide, size, overlap)
    if slide.title:
        chunks.append(Chunk(slide=slide.number, text=slide.title, kind="title"))
    return chunks


def _text_chunks(slide: Slide, size: int, overlap: int) -> list[Chunk]:
    title = slide.title
    # The title may span two text lines (a wrapped title); same length with the newline as a space.
    body = slide.text[len(title) :].lstrip("\n") if slide.text.replace("\n", " ").startswith(title) else slide.text
    if len(slide.text) <= size:
        return [Chunk(slide=slide.number, text=slide.text)]
    pieces = _splitter(size, overlap).split_text(body)
    return [Chunk(slide=slide.number, text=f"{title}\n{piece}" if title else piece) for piece in pieces]
