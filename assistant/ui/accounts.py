"""``python -m assistant.ui.accounts FILE NAME``: add a student to a users file, or change their
password (read from the terminal, or from stdin). The file format is assistant/ui/users.py's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.ui.users import make_account, set_account
from index.errors import InputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.ui.accounts", description="Add a student to a users file, or change their password."
    )
    parser.add_argument("file", type=Path, help="the users file (created when missing)")
    parser.add_argument("name", help="the student's user name")
    args = parser.parse_args(argv)
    try:
        if sys.stdin.isatty():
            import getpass

            password = getpass.getpass(f"password for {args.name}: ")
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        set_account(args.file, make_account(args.name, password))
    except OSError as exc:
        raise InputError(f"cannot write {args.file} ({exc.strerror})") from None
    print(f"{args.name}: password set in {args.file}")
    return 0


if __name__ == "__main__":
    from assistant.cli import run

    sys.exit(run(main))
