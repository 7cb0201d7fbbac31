from pathlib import Path

import pytest

from index.errors import InputError
from index.store import load_index
from ingest.build import ingest
from ingest.pdf import clean_text, expand_inputs, make_slide, split_title
from tests.support.decks import DECK_A, DECK_B, make_pdf


def test_slides_are_numbered_across_files_in_order(hash_index: Path) -> None:
    index = load_index(hash_index)
    assert [s.number for s in index.slides] == [1, 2, 3, 4, 5, 6]
    assert [(s.deck, s.page) for s in index.slides] == [
        ("week01", 1),
        ("week01", 2),
        ("week01", 3),
        ("week02", 1),
        ("week02", 2),
        ("week02", 3),
    ]
    assert index.slide(4).title == "Classifier-Free Guidance"
    assert index.slide(2).title == "SGD with Momentum"
    assert "Momentum averages previous steps" in index.slide(2).text


def test_folder_and_file_list_give_identical_slides(tmp_path: Path, tiny_decks: list[Path]) -> None:
    ingest(tiny_decks, tmp_path / "a", model="hash:64", progress=False)
    ingest([tiny_decks[0].parent], tmp_path / "b", model="hash:64", progress=False)
    assert load_index(tmp_path / "a").slides == load_index(tmp_path / "b").slides


def test_image_only_page_is_kept_numbered_and_thumbnailed(hash_index: Path) -> None:
    index = load_index(hash_index)
    blank = index.slide(5)
    assert blank.image_only and blank.title == ""
    assert index.thumbnail(5) is not None
    assert all(index.thumbnail(n) is not None for n in range(1, 7))


def test_thumbnail_lookup_never_leaves_the_index(hash_index: Path) -> None:
    index = load_index(hash_index)
    assert index.thumbnail(0) is None and index.thumbnail(99) is None


def test_title_is_first_line_and_text_is_cleaned() -> None:
    assert split_title("Self-attention layers (2)\n• Compute") == ("Self-attention layers (2)", "• Compute")
    assert clean_text("  a   b \n\n\x07c  ") == "a b\nc"
    slide = make_slide(7, "week01", 3, "Title \n body ")
    assert (slide.number, slide.deck, slide.page, slide.title, slide.text) == (7, "week01", 3, "Title", "Title\nbody")


def test_folder_takes_pdfs_in_file_name_order(tmp_path: Path) -> None:
    for name in ["week10.pdf", "week02.pdf", "notes.txt", "week01.PDF"]:
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in expand_inputs([tmp_path])] == ["week01.PDF", "week02.pdf", "week10.pdf"]


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: (d / "notes.pdf").write_text("not a pdf") and d / "notes.pdf", "not a PDF"),
        (lambda d: d / "missing.pdf", "no such file"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "holds no .pdf"),
    ],
)
def test_bad_inputs_are_one_line_errors(tmp_path: Path, setup, message: str) -> None:
    target = setup(tmp_path)
    with pytest.raises(InputError, match=message) as caught:
        ingest([target], tmp_path / "index", model="hash:64", progress=False)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_same_deck_twice_is_refused(tmp_path: Path, tiny_decks: list[Path]) -> None:
    with pytest.raises(InputError, match="give each deck once"):
        ingest([tiny_decks[0], tiny_decks[0]], tmp_path / "index", model="hash:64", progress=False)


def test_reingest_reuses_unchanged_decks(tmp_path: Path, tiny_decks: list[Path]) -> None:
    first = ingest(tiny_decks, tmp_path / "ix", model="hash:64", progress=False)
    again = ingest(tiny_decks, tmp_path / "ix", model="hash:64", progress=False)
    assert first.embedded == first.chunks and again.embedded == 0 and again.reused == again.chunks
    make_pdf(tiny_decks[1], DECK_B[:2] + [("K Means Clustering", ["Changed text on this slide"])])
    changed = ingest(tiny_decks, tmp_path / "ix", model="hash:64", progress=False)
    assert 0 < changed.embedded < changed.chunks
    assert load_index(tmp_path / "ix").slide(6).text.endswith("Changed text on this slide")
    assert len(DECK_A) == 3
