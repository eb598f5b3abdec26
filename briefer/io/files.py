"""Files briefer writes for its user (`-o`, batch request files): whole, or not at all.

A file is written beside its target under a temporary name, flushed to the disk, then
renamed over the target (`os.replace`, atomic on one file system). When anything fails on the
way (a full disk, a read-only folder, an interrupt), the temporary file is removed and the
file that was there before, if any, is left as it was: never empty, never cut short.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from briefer.errors import UsageError


def _regular_or_absent(path: Path) -> bool:
    """Whether `path` names a regular file or nothing: what may be replaced by renaming.

    /dev/null, /dev/stdout, a FIFO or a terminal are written to as they are.
    """
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return True


@contextmanager
def replacing(path: Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open a text file that takes the place of `path` when the block ends without error.
    (`replacing_bytes`: the same, for bytes.)

    The file is written under a temporary name in `path`'s folder (created with the modes a
    new file gets, or those of the file it replaces); on any error it is removed and `path`
    is untouched. A symbolic link at `path` is followed: the file it points to is replaced.
    """
    with _replacing(path, "", encoding) as handle:
        yield handle


@contextmanager
def replacing_bytes(path: Path) -> Iterator[IO[bytes]]:
    """`replacing`, for a binary file."""
    with _replacing(path, "b", None) as handle:
        yield handle


@contextmanager
def _replacing(path: Path, binary: str, encoding: str | None) -> Iterator[IO[Any]]:
    if not _regular_or_absent(path):
        with open(path, "w" + binary, encoding=encoding) as handle:
            yield handle
        return
    target = Path(os.path.realpath(path))
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    handle = open(temporary, "x" + binary, encoding=encoding)  # noqa: SIM115 (closed below)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def write_replacing(path: Path, text: str) -> None:
    """Write `text` to `path` whole, or leave `path` as it was (see `replacing`)."""
    with replacing(path) as handle:
        handle.write(text)


def disk_full(exc: OSError) -> bool:
    """Whether `exc` says there is no room left on the disk (or in the user's quota)."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def write_error(path: Path, exc: OSError) -> UsageError:
    """The one-line error for failing to write `path`: "the disk is full: cannot write
    out.md ..." or "cannot write out.md: Permission denied", with what to do."""
    if disk_full(exc):
        return UsageError(
            f"the disk is full: cannot write {path} (a file there before is kept as it was)",
            fix="free some space, or choose another {output}",
        )
    return UsageError(f"cannot write {path}: {exc.strerror or exc}", fix="choose another {output}")
