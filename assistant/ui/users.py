"""The users file of a shared app (``python app.py --database URL --users FILE``).

The users file holds one ``name:scrypt:N:r:p:salt:hash`` line per student (hex salt and hash,
hashlib.scrypt), never a password. Add or change one with::

    python -m assistant.ui.accounts users.txt ada        # asks for the password (or reads it from stdin)

The file is rewritten whole and replaced atomically, so a crash never loses another student's line.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from index.errors import InputError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB and about 50 ms a check: slow for guessing, fine for a sign-in
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Account:
    name: str
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def line(self) -> str:
        return f"{self.name}:scrypt:{self.n}:{self.r}:{self.p}:{self.salt.hex()}:{self.digest.hex()}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=32)


def make_account(name: str, password: str) -> Account:
    if not name or ":" in name or not name.isprintable() or name != name.strip() or len(name) > 64:
        raise InputError("a user name is 1 to 64 printable characters, without ':' or surrounding spaces")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password has at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    return Account(name, SCRYPT_N, SCRYPT_R, SCRYPT_P, salt, _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))


def parse_line(line: str) -> Account | None:
    parts = line.rstrip("\r\n").split(":")
    if len(parts) != 7 or parts[1] != "scrypt":
        return None
    try:
        return Account(
            parts[0], int(parts[2]), int(parts[3]), int(parts[4]), bytes.fromhex(parts[5]), bytes.fromhex(parts[6])
        )
    except ValueError:
        return None


def read_accounts(path: Path) -> dict[str, Account]:
    """The accounts in ``path``; InputError when it cannot be read or a line is not an account."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the users file {path} ({getattr(exc, 'strerror', None) or type(exc).__name__})"
        ) from None
    accounts: dict[str, Account] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        account = parse_line(line)
        if account is None:
            raise InputError(f"the users file {path} line {number} is not name:scrypt:N:r:p:salt:hash")
        accounts[account.name] = account
    return accounts


def verify(accounts: dict[str, Account], name: str, password: str) -> bool:
    account = accounts.get(name)
    if account is None:
        _scrypt(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)  # the same time for a name that does not exist
        return False
    return hmac.compare_digest(_scrypt(password, account.salt, account.n, account.r, account.p), account.digest)


def set_account(path: Path, account: Account) -> None:
    """Add or replace ``account`` in the users file, written whole and replaced atomically (mode 600)."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    kept = [line for line in lines if (parse_line(line) or Account("", 0, 0, 0, b"", b"")).name != account.name]
    part = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join([*kept, account.line()]) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(part, path)
