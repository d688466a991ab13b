"""Writing a new file aside and putting it in place whole: a process killed on the way (kill -9, a
power cut) leaves nothing under the name asked for, only a `NAME.<random>.partial` file that the next
writer to that name removes. Forks, imports and book exports write so."""

from __future__ import annotations

import fcntl
import glob
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.kernel.journal_file import remove_journal

__all__ = ["remove_abandoned", "written_aside"]


@contextmanager
def written_aside(target: str, exists: Callable[[], BaseException]) -> Iterator[str]:
    """Yield the name of a new empty file beside `target`, held under an advisory lock while the
    caller writes it; when the block ends without an error, give it the name `target` (`exists()`
    is raised if a file took that name meanwhile: it is never overwritten). The partial file is
    removed whatever happens (with SQLite's side files, for a journal), and the abandoned partial
    files of killed writers to `target` (those no live writer holds) before writing."""
    partial = f"{target}.{os.urandom(6).hex()}.partial"  # a name, never journaled
    try:
        fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # the umask's mode, as SQLite's files
    except OSError as failed:  # a read-only or full file system: named by the file asked for, not the partial
        raise OSError(failed.errno, failed.strerror, target) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # ours while we write: another writer's sweep leaves it alone
        remove_abandoned(target, keep=partial)
        yield partial
        _place(partial, target, exists)
    finally:
        remove_journal(partial)
        os.close(fd)


_HEX = "[0-9a-f]"  # the random part of a partial file's name: 12 of these, as `os.urandom(6).hex()` writes


def remove_abandoned(target: str, keep: str = "") -> None:
    """Remove the partial files of writers to `target` that were killed on the way: those no live
    writer holds locked, and only of the names lanasim gives them (`NAME.<12 hex digits>.partial`;
    a user's `book.csv.old.partial` beside the export is not lanasim's to delete)."""
    for found in Path(target).parent.glob(f"{glob.escape(Path(target).name)}.{_HEX * 12}.partial"):
        if str(found) == keep:
            continue
        try:
            fd = os.open(found, os.O_RDWR)
        except OSError:
            continue  # gone meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live writer's
        finally:
            os.close(fd)
        remove_journal(str(found))


def _place(partial: str, target: str, exists: Callable[[], BaseException]) -> None:
    """Give the finished `partial` file the name `target`, never over a file made meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise exists() from None
    except OSError:  # a file system without hard links
        if Path(target).exists():
            raise exists() from None
        os.replace(partial, target)
