"""``python -m tests.assistant.bank.add_many BANK TAG N [KILL_AT]``: add N questions ``TAG question i``
to BANK, printing ``added i`` after each one the bank took. With KILL_AT, the process kills itself
with SIGKILL inside add number KILL_AT, after its new file is written and flushed but before the
rename (the moment a power cut or the OOM killer leaves a temp file behind). Used by test_bank_file.py."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from assistant.bank.edit import add_question


def main(bank: str, tag: str, n: str, kill_at: str = "-1") -> None:
    done = 0
    if int(kill_at) >= 0:
        real_replace = os.replace

        def replace(src, dst) -> None:
            if done == int(kill_at) and not str(dst).endswith(".bak"):
                print("inside", done, flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            real_replace(src, dst)

        os.replace = replace  # type: ignore[assignment]
    for i in range(int(n)):
        add_question(Path(bank), "concurrent", f"{tag} question {i}", [1])
        done += 1
        print("added", i, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
