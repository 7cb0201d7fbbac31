"""The bank file on disk, for writers: read exactly, lock, and replace without losing a byte.

The bank is the user's own file. A writer here keeps every byte it did not mean to change:

- it is decoded only when it can be encoded back to the very same bytes (its BOM, its byte order,
  its line endings): UTF-8, or UTF-16/UTF-32 with a BOM. Anything else (Latin-1, cp1252, UTF-8 with
  stray bytes) is refused with a message rather than written back with replacement characters;
- the read-modify-write holds an exclusive ``fcntl`` lock on a side file (``.NAME.lock``, never
  removed: removing a lock file races with the next writer), so two app processes, or the app and
  a script, queue instead of overwriting each other's questions; a program that does not take the
  lock (an editor) is caught by comparing the file with what was read just before it is replaced;
- a symlink is followed and its target written, the file's permission bits (and owner, when
  allowed) are kept on the new file and on the backup, and a read-only file is refused;
- ``.NAME.PID.tmp`` files that a killed writer left behind are removed by the next writer, under
  the lock, so none of them can be a live writer's.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.bank.encoding import exact_codec
from index.errors import InputError

LOCK_WAIT_S = 15.0  # a writer holds the lock for milliseconds; longer means a stuck program


class BankChanged(Exception):
    """The file on disk is no longer the one that was read: the edit must be redone on the new one."""


@dataclass(frozen=True)
class BankText:
    """A bank file's bytes and its text, with what it takes to write text back the same way."""

    raw: bytes
    text: str
    bom: bytes
    codec: str

    def encode(self, text: str, name: str) -> bytes:
        """``text`` in this file's encoding, BOM first; an error when a character has no form in it."""
        try:
            data = self.bom + text.encode(self.codec)
        except UnicodeEncodeError:
            raise InputError(f"{name} is {self.codec.upper()} and cannot hold the question's characters") from None
        if data[len(self.bom) :].decode(self.codec) != text:
            raise InputError(f"{name} would not read back as written; it is unchanged")
        return data


def read_exact(raw: bytes, name: str) -> BankText:
    """The text of ``raw`` when it can be written back byte for byte, else an ``InputError``
    that says what to do. ``name`` is how messages call the file."""
    bom, codec = exact_codec(raw[:64], name)
    try:
        text = raw[len(bom) :].decode(codec)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        what = f"byte 0x{raw[exc.start]:02x} on line {line}" if codec == "utf-8" else f"bad {codec.upper()} data"
        raise InputError(
            f"{name} is not {codec.upper()} text ({what}); it was left unchanged rather than rewritten with "
            "replacement characters: save it as UTF-8 in your editor, then add the question again"
        ) from None
    if bom + text.encode(codec) != raw:
        raise InputError(f"{name} would not be written back byte for byte; it was left unchanged")
    return BankText(raw, text, bom, codec)


def real_path(path: Path) -> Path:
    """The file a path names, through any chain of symlinks (a dangling one names its target)."""
    return Path(os.path.realpath(path))


@contextmanager
def locked(target: Path, name: str) -> Iterator[None]:
    """An exclusive lock on ``target``'s side file, for the whole read-modify-write."""
    lock = target.with_name(f".{target.name}.lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise InputError(f"cannot write {name} ({exc.strerror}); it is unchanged") from None
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise InputError(f"another program is writing {name}; try again in a moment") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def read_for_write(target: Path, name: str) -> tuple[bytes, os.stat_result | None]:
    """The file's bytes and its stat (None: it does not exist yet); an error when it cannot be written."""
    try:
        info = os.stat(target)
        raw = target.read_bytes()
    except FileNotFoundError:
        return b"", None
    except OSError as exc:
        raise InputError(f"cannot read {name} ({exc.strerror}); it is unchanged") from None
    # Root may write anything, so the permission bits are read as the user's wish, not only access().
    if not info.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise InputError(f"{name} is read-only; make it writable (chmod u+w) to add questions to it")
    return raw, info


def clean_stale(target: Path) -> None:
    """Remove ``.NAME.PID.tmp`` (and ``.NAME.bak.PID.tmp``) left by a writer that was killed.
    Called under the lock: a writer that holds none of these files open can own any of them."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}(?:\.bak)?\.\d+\.tmp$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for entry in names:
        if pattern.match(entry):
            try:
                os.unlink(target.parent / entry)
            except OSError:
                pass


def commit(target: Path, expected: bytes, data: bytes, info: os.stat_result | None) -> None:
    """Back ``expected`` up to ``NAME.bak``, then replace ``target`` with ``data``, unless the file
    no longer holds ``expected`` (``BankChanged``). Both files get the original's mode and owner."""
    if expected:
        write_atomic(target.with_name(target.name + ".bak"), expected, info)
    try:
        now = target.read_bytes()
    except FileNotFoundError:
        now = b""
    if now != expected:
        raise BankChanged
    write_atomic(target, data, info)


def write_atomic(path: Path, data: bytes, like: os.stat_result | None) -> None:
    """Write ``data`` to a temp file beside ``path``, flush it to disk, and rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # A new file gets the usual mode (0o666 less the umask); a replaced one, exactly its old mode.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if like is not None else 0o666)
    try:
        try:
            if like is not None:
                os.fchmod(fd, stat.S_IMODE(like.st_mode))
                if (like.st_uid, like.st_gid) != (os.getuid(), os.getgid()):
                    try:
                        os.fchown(fd, like.st_uid, like.st_gid)
                    except PermissionError:
                        pass  # only root may give a file away; the mode is kept either way
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)  # the rename itself reaches the disk
    finally:
        os.close(folder)
