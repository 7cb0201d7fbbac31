"""``python -m assistant.eval``: retrieval accuracy against the bank (the code lives in ``assistant.evaluation.retrieval``)."""

import sys

from assistant.cli import run
from assistant.evaluation.retrieval import main

if __name__ == "__main__":
    sys.exit(run(main))
