"""Where the shipped model and parameter files live.

An installed wheel carries them inside the package (``cellsim/_data/models`` and
``cellsim/_data/parameters``); a source checkout (editable install) reads the top-level
``models/`` and ``parameters/`` folders next to the package.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Mapping

_PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=None)
def data_dir(kind: str) -> Path:
    """Folder of the shipped ``"models"`` or ``"parameters"`` files."""
    if kind not in ("models", "parameters"):
        raise ValueError(kind)
    inside = _PACKAGE / "_data" / kind
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / kind


def shipped_files(folder: Path) -> dict[str, Path]:
    """Map of name (file stem) -> path of the ``*.toml`` files in ``folder`` (empty if it is missing)."""
    return {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}


def resolve_shipped(name: str | Path, files: Mapping[str, Path], what: str, plural: str) -> Path:
    """Path of a file given as a path or as the bare name of a shipped file.

    Parameters
    ----------
    name : str or Path
        An existing file, or a name of ``files`` (``.toml`` optional, case-insensitive).
    files : mapping of str to Path
        The shipped files (:func:`shipped_files`).
    what, plural : str
        What a file is (``"model"``, ``"models"``) for the error message.

    Raises
    ------
    NotFoundError
        Neither a file nor a shipped name; the message lists the shipped names.
    """
    from .errors import NotFoundError

    p = Path(name)
    if p.is_file():
        return p
    key = p.name[:-5] if p.name.endswith(".toml") else p.name
    for k in (key, key.lower()):
        if k in files:
            return files[k]
    raise NotFoundError(f"unknown {what} {str(name)!r}: no such file, and the shipped {plural} are: "
                        f"{', '.join(files) or 'none'}")


def read_toml(path: Path) -> dict:
    """Read a TOML file; syntax errors become :class:`FileFormatError` with the line."""
    import re
    import tomllib

    from .errors import FileFormatError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(str(path), f"cannot read: {exc.strerror}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileFormatError(str(path), "not UTF-8 text", line) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise FileFormatError(str(path), f"malformed TOML: {msg}", line) from None
