from index.records import Slide
from ingest.chunking import chunk_slide


def test_short_slide_is_one_chunk() -> None:
    slide = Slide(3, "week01", 3, "Title", "Title\nshort body")
    assert [(c.kind, c.text) for c in chunk_slide(slide)] == [("text", "Title\nshort body"), ("title", "Title")]


def test_long_slide_splits_with_title_on_every_chunk_and_never_spans_slides() -> None:
    body = "\n".join(f"bullet number {i} says something about attention and tokens" for i in range(30))
    slide = Slide(9, "week02", 1, "Self-attention layers", "Self-attention layers\n" + body)
    chunks = [c for c in chunk_slide(slide, size=200, overlap=40) if c.kind == "text"]
    assert len(chunks) > 5
    assert all(c.slide == 9 for c in chunks)
    assert all(c.text.startswith("Self-attention layers\n") for c in chunks)
    assert all(len(c.text) <= 200 + len("Self-attention layers\n") for c in chunks)
    covered = " ".join(c.text for c in chunks)
    assert all(f"bullet number {i} " in covered for i in range(30))


def test_image_only_slide_still_has_a_chunk() -> None:
    assert len(chunk_slide(Slide(1, "d", 1, "", ""))) == 1
