"""Writing a new file aside and putting it in place whole: a process killed on the way (kill -9, a
power cut) leaves nothing under the name asked for, only a `NAME.<random>.partial` file that the next
writer to that name removes. Forks, imports and book exports write so. A name a live process is
writing so is refused to a second writer as it starts (`BeingWritten`), not once it has done its work.

A writer's start (its partial file made and locked, the other writers' looked for, the abandoned
ones removed) holds an advisory lock on the directory, as does a standalone `remove_abandoned`: so
of two writers starting at once exactly one is refused (each used to find the other's partial file
held, and both were refused), and a partial file is never seen, and removed as abandoned, in the
instant between its creation and its writer's lock on it."""

from __future__ import annotations

import fcntl
import glob
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.kernel.errors import EngineError
from engine.kernel.journal_file import remove_journal

__all__ = ["BeingWritten", "held_directory", "refuse_other_writer", "remove_abandoned", "written_aside"]


class BeingWritten(EngineError):
    """Another process is writing the file asked for (fields: path; partial: the name of the file it
    writes aside; pid: its process, where the system lists it, else None)."""

    def describe(self) -> str:
        pid = self.fields.get("pid")
        return (f"{self.fields.get('path')}: being written by another lanasim ({f'process {pid}, ' if pid else ''}"
                f"into {self.fields.get('partial')}); wait for it to finish, or choose another name")


@contextmanager
def written_aside(target: str, exists: Callable[[], BaseException]) -> Iterator[str]:
    """Yield the name of a new empty file beside `target`, held under an advisory lock while the
    caller writes it; when the block ends without an error, give it the name `target` (`exists()`
    is raised if a file took that name meanwhile: it is never overwritten). The partial file is
    removed whatever happens (with SQLite's side files, for a journal), and the abandoned partial
    files of killed writers to `target` (those no live writer holds) before writing. `BeingWritten`
    before writing if a live writer holds a partial file of `target`: its work would be refused once
    done (of two started in the same instant, the second to take the directory's lock)."""
    partial = f"{target}.{os.urandom(6).hex()}.partial"  # a name, never journaled
    with _starting(target):
        try:
            fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)  # the umask's mode, as SQLite's
        except OSError as failed:  # a read-only or full file system: named by the file asked for, not the partial
            raise OSError(failed.errno, failed.strerror, target) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # ours while we write: another writer's sweep leaves it alone
            refuse_other_writer(target, keep=partial)
            _remove_abandoned(target, keep=partial)
        except BaseException:
            remove_journal(partial)
            os.close(fd)
            raise
    try:
        yield partial
        _place(partial, target, exists)
    finally:
        remove_journal(partial)
        os.close(fd)


_HEX = "[0-9a-f]"  # the random part of a partial file's name: 12 of these, as `os.urandom(6).hex()` writes


def refuse_other_writer(target: str, keep: str = "") -> None:
    """`BeingWritten` naming the first partial file of `target` (other than `keep`) that a live writer
    holds: a command checks this as it starts, before the work a second writer's file would waste."""
    for found in _partials(target, keep):
        if _held(found):
            raise BeingWritten(path=target, partial=found.name, pid=_holder(found))


def remove_abandoned(target: str) -> None:
    """Remove the partial files of writers to `target` that were killed on the way: those no live
    writer holds locked, and only of the names lanasim gives them (`NAME.<12 hex digits>.partial`;
    a user's `book.csv.old.partial` beside the export is not lanasim's to delete)."""
    with _starting(target):
        _remove_abandoned(target, "")


_WAIT_S = 2.0  # how long a writer's start waits for the directory's lock before going on without it
_HELD: set[tuple[int, int]] = set()  # directories this process holds locked for a whole run (`held_directory`)


@contextmanager
def held_directory(directory: str) -> Iterator[bool | None]:
    """Hold `directory`'s advisory lock for as long as the block lasts. Yields True when it does,
    False when another process holds it, None where the directory cannot be opened or locked (the
    block runs unlocked either way). A writer's start in a directory this process holds so takes no
    lock of its own: on a second descriptor of the same directory it would wait for this process."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield None
        return
    try:
        locked = _try_lock(fd)
        if not locked:
            yield locked
            return
        stat = os.fstat(fd)
        key = (stat.st_dev, stat.st_ino)
        _HELD.add(key)
        try:
            yield True
        finally:
            _HELD.discard(key)
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def _starting(target: str) -> Iterator[None]:
    """Hold the advisory lock of `target`'s directory (writers' starts one at a time). Without it
    where the directory cannot be opened or locked (a file system without `flock`), where this
    process holds it for a whole run (`held_directory`: a resume), or after waiting `_WAIT_S` for
    another process that does: a start takes milliseconds, a resume's hold a whole run."""
    try:
        fd = os.open(Path(target).parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        stat = os.fstat(fd)
        if (stat.st_dev, stat.st_ino) not in _HELD:
            deadline = time.monotonic() + _WAIT_S  # not journaled: how long to wait, not what is written
            while _try_lock(fd) is False and time.monotonic() < deadline:
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool | None:
    """Take the advisory lock of `fd` if no one holds it: True, False when another descriptor holds
    it, None where it cannot be locked."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


def _remove_abandoned(target: str, keep: str) -> None:
    for found in _partials(target, keep):
        if _held(found) is False:
            remove_journal(str(found))


def _partials(target: str, keep: str) -> list[Path]:
    """The partial files of writers to `target` but `keep`, of the names lanasim gives them, sorted."""
    found = Path(target).parent.glob(f"{glob.escape(Path(target).name)}.{_HEX * 12}.partial")
    return sorted(path for path in found if str(path) != keep)


def _held(partial: Path) -> bool | None:
    """Whether a live writer holds `partial` locked (None: gone meanwhile, or not ours to open)."""
    try:
        fd = os.open(partial, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _holder(partial: Path) -> int | None:
    """The process holding `partial`'s lock, as Linux lists it in /proc/locks (None elsewhere)."""
    try:
        stat, listed = partial.stat(), Path("/proc/locks").read_text()
    except OSError:
        return None
    inode = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    for line in listed.splitlines():  # `1: FLOCK  ADVISORY  WRITE 9014 fe:00:2148927 0 EOF`
        fields = line.split()
        if fields[1:2] == ["FLOCK"] and fields[5:6] == [inode] and fields[4].isdigit():
            return int(fields[4])
    return None


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
