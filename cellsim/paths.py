"""Where the shipped model and parameter files live.

An installed wheel carries them inside the package (``cellsim/_data/models`` and
``cellsim/_data/parameters``); a source checkout (editable install) reads the top-level
``models/`` and ``parameters/`` folders next to the package.
"""

from __future__ import annotations

import functools
from pathlib import Path

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
