"""Writing files atomically: a temporary file in the target's folder, then a rename.

A reader never sees a half-written file, and an interrupted write leaves the old file (or
nothing) in place: :func:`os.replace` is atomic within one file system, which is why the
temporary file is made in the target's own folder. Every writer in cellsim (CSV tables,
spectra, figures, the demo report, sweep exports) goes through :func:`atomic_path`.

>>> from cellsim.files import atomic_write_text
>>> atomic_write_text("out.csv", "frequency_Hz,z_real_ohm,z_imag_ohm\\n")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import InputError


def existing_directory(path: str | os.PathLike, flag: str) -> Path:
    """The folder of ``path`` (``.`` for a bare name), which must exist.

    Raises
    ------
    InputError
        ``flag`` (the option or field that named the file), the path, and that its folder
        does not exist.
    """
    p = Path(path)
    directory = p.parent if str(p.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(flag, str(path), f"a file in an existing directory ({directory} does not exist)")
    return directory


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = ".tmp", prefix: str | None = None,
                mkdir: bool = False) -> Iterator[str]:
    """Yield a temporary file name beside ``path``; rename it onto ``path`` when the block ends.

    The block writes the temporary file (by name: ``fig.savefig(tmp)``, ``df.to_csv(tmp)``,
    ``open(tmp, "w")``). When it ends normally the file replaces ``path``; when it raises
    (or is interrupted) the temporary file is removed and the exception passes on.

    Parameters
    ----------
    path : str or os.PathLike
        Final file.
    suffix, prefix : str
        Of the temporary name (default ``.<name>.XXXX.tmp``, hidden on POSIX).
    mkdir : bool
        Create the folder (and its parents) first.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if mkdir:
        directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}." if prefix is None else prefix, suffix=suffix,
                               dir=directory)
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0o077)
        os.umask(umask)              # the process umask (mkstemp makes 0600)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike, text: str, mkdir: bool = False) -> None:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` atomically."""
    with atomic_path(path, mkdir=mkdir) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, mkdir: bool = False) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path, mkdir=mkdir) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
