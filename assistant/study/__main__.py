"""``python -m assistant.study`` (the code lives in ``assistant.study.cli``)."""

import sys

from assistant.cli import run
from assistant.study.cli import main

if __name__ == "__main__":
    sys.exit(run(main))  # `| head` ends the output quietly
