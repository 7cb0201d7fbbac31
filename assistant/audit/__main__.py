"""``python -m assistant.audit``: the bank audit report (the code lives in ``assistant.audit.cli``)."""

import sys

from assistant.audit.cli import main
from assistant.cli import run

sys.exit(run(main))
