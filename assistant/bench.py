"""``python -m assistant.bench``: the speed table (the code lives in ``assistant.evaluation.bench``)."""

import sys

from assistant.cli import run
from assistant.evaluation.bench import main

if __name__ == "__main__":
    sys.exit(run(main))
