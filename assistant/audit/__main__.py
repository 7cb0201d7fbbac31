"""``python -m assistant.audit``: the bank audit report."""

import sys

from assistant.audit.report import main

sys.exit(main())
