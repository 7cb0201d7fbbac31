"""Write a BERT cross-encoder with random weights, for timing the ``--reranker`` plumbing offline.

    python -m benchmarks.random_cross_encoder /tmp/tiny                              # 1 layer, 16 wide
    python -m benchmarks.random_cross_encoder /tmp/minilm-shape --layers 6 --hidden 384 --heads 12
    python -m assistant.eval --reranker /tmp/minilm-shape --no-ablation             # the time it adds

Run from the repository root (``benchmarks`` is a folder of the checkout, not installed); slidebank
itself is imported from the installed package, as a user has it.

No trained reranker installs offline here, so its scores mean nothing: this measures what a
reranker of a given shape costs per query, never what it would gain. The tokenizer knows a few
dozen words; the rest become [UNK], one token per word, so sequence lengths stay realistic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

WORDS = "what is the a of and to how why gradient descent momentum steps attention query softmax guidance kmeans centroid learning rate".split()


def build(folder: Path, layers: int = 1, hidden: int = 16, heads: int = 2, max_length: int = 64) -> Path:
    """Save a cross-encoder (one output) and its WordPiece tokenizer to ``folder``; returns ``folder``."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = {token: i for i, token in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=max_length).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden if hidden > 16 else 2 * hidden,
        max_position_embeddings=max_length,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help="where to write the model")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--heads", type=int, default=2)
    parser.add_argument(
        "--max-length", type=int, default=64, help="tokens per (query, slide) pair (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.hidden % args.heads:
        print("error: --hidden must be a multiple of --heads", file=sys.stderr)
        return 2
    print(build(args.folder, args.layers, args.hidden, args.heads, args.max_length))
    return 0


if __name__ == "__main__":
    sys.exit(main())
