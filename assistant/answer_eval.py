"""``python -m assistant.answer_eval``: answer abstention and citations against the bank (the code lives in ``assistant.evaluation.answers``)."""

import sys

from assistant.cli import run
from assistant.evaluation.answers import main

if __name__ == "__main__":
    sys.exit(run(main))
