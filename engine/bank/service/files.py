"""Where a service writes the files it makes (reports, ledger exports) when not told where."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from domains.validators import is_nameable
from engine.kernel.errors import InvalidArgument

__all__ = ["OutputFolder"]


class OutputFolder:
    """`NAME/` beside the journal file, or, for a journal in memory, a scratch directory made on
    first use and removed by `close` (when the simulation closes): files as lasting as the journal."""

    def __init__(self, journal_path: str, name: str) -> None:
        self.journal_path, self.name = journal_path, name
        self._scratch: Path | None = None

    def path(self, given: str | Path | None = None) -> Path:
        """`given` when there is one, else the folder (made scratch directory included). A `given`
        that is no path, or names a file, is `InvalidArgument` (it was a NotADirectoryError once the
        report's run had been queued and failed)."""
        if given is not None:
            if not isinstance(given, (str, os.PathLike)):
                raise InvalidArgument(argument="out_dir", value=given, problem="a directory path (str or Path)")
            text = str(given)
            if not is_nameable(text):  # a bare ValueError from mkdir
                raise InvalidArgument(argument="out_dir", value=text,
                                      problem="a directory path holds no NUL character or lone surrogate")
            try:
                is_file = Path(given).exists() and not Path(given).is_dir()
            except OSError as failed:  # a name too long: a bare OSError from stat
                raise InvalidArgument(argument="out_dir", value=text,
                                      problem=f"no directory can be made there ({failed.strerror})") from None
            if is_file:
                raise InvalidArgument(argument="out_dir", value=text, problem="a file, not a directory")
            return Path(given)
        if self.journal_path != ":memory:":
            return Path(self.journal_path).resolve().parent / self.name
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix=f"lanasim-{self.name}-"))
        return self._scratch

    def close(self) -> None:
        """Remove the scratch directory `path` made (never a directory given, nor one beside a file)."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
