"""``python -m assistant.answer.export_model DIR``: the bundled SmolLM2 GGUF as a transformers folder.

A model server such as ``transformers serve`` cannot load the GGUF itself (its config names no
architecture), so this writes it once, dequantised, as an ordinary folder:

    python -m assistant.answer.export_model ~/models/smollm2
    transformers serve --host 127.0.0.1 --port 8000 ~/models/smollm2
    python -m assistant.query --llm-url http://127.0.0.1:8000/v1 --llm-model ~/models/smollm2 "..."

SmolLM2-135M is a plumbing model: it shows that the server path works end to end without a GPU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from index.errors import SlidebankError


def export_bundled(dest: Path) -> Path:
    """Write the bundled GGUF as a transformers folder at ``dest``; returns ``dest``. Nothing is downloaded."""
    from assistant.answer.llm import ModelUnavailable, bundled_gguf

    gguf = bundled_gguf()
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise ModelUnavailable(f"exporting the model needs transformers ({exc})") from exc
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
    # The loaded weights are already dequantised; without these the folder claims a GGUF quantiser
    # and no architecture, and a server refuses it.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.architectures = [type(model).__name__]
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(dest))
    tokenizer.save_pretrained(str(dest))
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.answer.export_model", description=__doc__.split("\n\n")[0].split(": ", 1)[1]
    )
    parser.add_argument("dest", type=Path, help="folder to write (created)")
    args = parser.parse_args(argv)
    try:
        print(export_bundled(args.dest))
    except (SlidebankError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
