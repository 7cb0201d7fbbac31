"""A one-layer BERT cross-encoder with random weights, written to a folder: the ``--reranker``
plumbing tested offline. Its scores carry no meaning, but they are deterministic (seeded)."""

from __future__ import annotations

from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# The words of the tiny test decks; anything else reads as [UNK].
KNOWN = ["sgd", "momentum", "gradient", "descent", "steps", "previous", "learning", "rate", "attention", "query"]
KNOWN += ["softmax", "guidance", "omega", "means", "clustering", "centroid"]


def write_tiny_cross_encoder(folder: Path) -> Path:
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        BertTokenizerFast,
    )

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(SPECIAL + KNOWN) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True, model_max_length=64).save_pretrained(folder)
    torch.manual_seed(0)
    shape = BertConfig(
        vocab_size=len(SPECIAL) + len(KNOWN),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=1,
    )
    BertForSequenceClassification(shape).save_pretrained(folder)
    return folder
