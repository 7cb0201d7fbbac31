"""How a query is read before it is searched: ``read_query``, the one step ``Retriever.search`` and
``Retriever.ranking`` (CLI, app, eval, audit) share.

prepare (``prepare_query``: control characters, length) → correct typos to deck words
(``spelling``) → find the key terms the deck never mentions (``terms``) → normalise LaTeX, Greek
letters and acronyms to words (``normalize``). What was typed, what was searched and what was
never mentioned all stay on the record, so every view can say so.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from assistant.retrieval.normalize import normalise_query
from assistant.retrieval.spelling import Vocabulary, correct, vocabulary
from assistant.retrieval.terms import unknown_terms

if TYPE_CHECKING:
    from assistant.bank.parse import Question
    from index.store import LoadedIndex

# One vocabulary per loaded index and bank: retrievers that differ only in their weights
# (``Retriever.with_settings``, the eval's grids) share it instead of reading the deck again.
_VOCABULARIES: dict[int, tuple[weakref.ref, tuple[str, ...], Vocabulary]] = {}


def deck_vocabulary(index: LoadedIndex, bank: Sequence[Question]) -> Vocabulary:
    """The vocabulary of an index's slides (titles and text) and a bank's questions, made once."""
    texts = tuple(q.text for q in bank)
    cached = _VOCABULARIES.get(id(index))
    if cached is not None and cached[0]() is index and cached[1] == texts:
        return cached[2]
    made = vocabulary((f"{s.title}\n{s.text}" for s in index.slides), texts)
    _VOCABULARIES[id(index)] = (weakref.ref(index), texts, made)
    return made


@dataclass(frozen=True)
class Reading:
    """``typed``: the prepared query; ``searched``: it with typos corrected (equal when none);
    ``text``: the normalised text that is encoded and scored; ``changes``: (typed, corrected) words;
    ``unknown``: key terms the deck never mentions."""

    typed: str
    searched: str
    text: str
    changes: tuple[tuple[str, str], ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def corrected(self) -> str | None:
        """The corrected query when a word was corrected, else None."""
        return self.searched if self.changes else None


def read_query(
    prepared: str, acronyms: Mapping[str, tuple[str, ...]], vocab: Vocabulary | None, spelling: bool = True
) -> Reading:
    """A prepared query (``prepare_query``) read against a deck's vocabulary (None: no deck, no checks)."""
    if vocab is None or not prepared:
        return Reading(prepared, prepared, normalise_query(prepared, acronyms))
    fixed = correct(prepared, vocab) if spelling else None
    searched = fixed.text if fixed is not None else prepared
    return Reading(
        prepared,
        searched,
        normalise_query(searched, acronyms),
        fixed.changes if fixed is not None else (),
        unknown_terms(searched, vocab, acronyms),
    )
