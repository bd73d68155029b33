"""Readers for measured impedance spectra.

Supported formats (detected from the content, not the extension):

``biologic-mpt``
    EC-Lab text export (``EC-Lab ASCII FILE``; header length from ``Nb header lines : N``;
    decimal comma or point; UTF-8 or latin-1; PEIS and GEIS; loops from the header's loop
    table, else from the ``cycle number`` column).
``biologic-mpr``
    EC-Lab binary file, read through galvani's ``MPRfile`` (loops from the file's loop
    module, else from ``cycle number``).
``gamry-dta``
    Gamry Framework ``.DTA`` (the ``ZCURVE`` table).
``zview-z``
    ZPlot/ZView ``.z`` (``ZPLOT2 ASCII``; columns Freq, Ampl, Bias, Time, Z', Z'', ...).
``table``
    Delimited text (comma, semicolon, tab or whitespace; decimal comma allowed unless the
    delimiter is a comma) with recognised column names (``freq/Hz``, ``Z'``, ``-Z''``,
    ``Zreal``, ``z_imag_ohm``, ``|Z|``, ``Phase``, ``cycle``...), or without a header exactly
    three columns f [Hz], Z' [ohm], Z'' [ohm] (Z'' = Im Z, negative for capacitive). cellsim's
    own CSV ``frequency_Hz,z_real_ohm,z_imag_ohm[,loop]`` is this format.

Every reader either returns all rows or raises :class:`cellsim.errors.FileFormatError`
naming the file and the line; no row is dropped silently.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import CellsimError, FileFormatError, InputError, NotFoundError
from ._text import decode, is_number, parse_number, recognise_columns, split_lines
from .spectrum import Spectrum

__all__ = ["read_spectra", "read_spectrum", "detect_format", "FORMATS"]

FORMATS = ("biologic-mpt", "biologic-mpr", "gamry-dta", "zview-z", "table")
_MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"
_MAX_BYTES = 512 * 1024 * 1024


# ====================================================================== public API
def read_spectra(path: str | os.PathLike, format: str | None = None,
                 columns: str | list | tuple | None = None) -> list[Spectrum]:
    """Read every loop of an impedance file.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    format : str, optional
        One of :data:`FORMATS`; detected from the content when omitted.
    columns : str or sequence, optional
        For text files: the frequency [Hz], Re Z [ohm] and Im Z [ohm] columns, as
        ``"f,re,im"`` names (case-insensitive, as in the header) or 0-based indices
        (``"0,1,2"``), instead of recognising them by name. A ``-`` before the third
        (``"0,1,-2"``, ``"freq,zre,-zim"``) says the column holds -Im Z. Unit factors
        in the names (``mOhm``, ``kHz``) apply as usual.

    Returns
    -------
    list of Spectrum
        One spectrum per loop, in file order (``Spectrum.loop`` = 0, 1, ...).

    Raises
    ------
    cellsim.errors.NotFoundError
        When the file does not exist.
    cellsim.errors.FileFormatError
        When the file is malformed, truncated or holds no impedance data (with the line).
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    fmt = format if format is not None else detect_format(path, raw)
    if fmt not in FORMATS:
        raise InputError("format", fmt, " or ".join(FORMATS))
    if fmt == "biologic-mpr":
        if columns is not None:
            raise InputError("columns", columns, "no column choice for a binary BioLogic .mpr file (only for "
                                                 "text files)", path)
        return _read_mpr(path, raw)
    text, encoding = decode(path, raw)
    lines = split_lines(text)
    reader = {"biologic-mpt": _read_mpt, "gamry-dta": _read_dta, "zview-z": _read_z, "table": _read_table}[fmt]
    spectra = reader(path, lines, parse_columns(columns))
    for s in spectra:
        s.metadata.setdefault("encoding", encoding)
    return spectra


def read_spectrum(path: str | os.PathLike, loop: int = 0, format: str | None = None,
                  columns: str | list | tuple | None = None) -> Spectrum:
    """Read one loop (default the first) of an impedance file; see :func:`read_spectra`."""
    spectra = read_spectra(path, format=format, columns=columns)
    if isinstance(loop, bool) or not isinstance(loop, (int, np.integer)) or not (-len(spectra) <= loop < len(spectra)):
        raise InputError("loop", loop, f"an index 0..{len(spectra) - 1} (the file has {len(spectra)} loops)",
                         os.fspath(path))
    return spectra[int(loop)]


def detect_format(path: str | os.PathLike, raw: bytes | None = None) -> str:
    """Name of the format of ``path`` from its content (see :data:`FORMATS`)."""
    path = os.fspath(path)
    if raw is None:
        raw = _read_bytes(path)
    if raw.startswith(_MPR_MAGIC):
        return "biologic-mpr"
    text, _ = decode(path, raw[:65536] if len(raw) > 65536 else raw)
    lines = split_lines(text)
    first = ""
    for ln in lines:
        if ln.strip():
            first = ln.strip().strip('"').strip()
            break
    if first.upper().startswith("EC-LAB ASCII FILE"):
        return "biologic-mpt"
    if first.upper() == "EXPLAIN" or any(ln.startswith("ZCURVE\tTABLE") for ln in lines):
        return "gamry-dta"
    if "ZPLOT" in first.upper() or any(ln.strip().strip('"').lower().startswith(("end comments", "end header"))
                                       for ln in lines[:400]):
        return "zview-z"
    return "table"


# ====================================================================== shared pieces
def _read_bytes(path: str) -> bytes:
    p = Path(path)
    try:
        if p.is_dir():
            raise FileFormatError(path, "is a directory, not a data file")
        size = p.stat().st_size
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    if size > _MAX_BYTES:
        raise FileFormatError(path, f"is {size / 1e6:.0f} MB; impedance files above {_MAX_BYTES // 2**20} MiB "
                                    "are not supported")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise FileFormatError(path, "is empty")
    return raw


def _assemble(path: str, fmt: str, line_no: np.ndarray, freq: np.ndarray, zr: np.ndarray, zi: np.ndarray,
              metadata: dict, loop_key: np.ndarray | None = None, time: np.ndarray | None = None,
              loop_bounds: list[tuple[int, int]] | None = None) -> list[Spectrum]:
    """Check the rows and split them into loops."""
    if freq.size == 0:
        raise FileFormatError(path, "has no data rows")
    bad = ~(freq > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FileFormatError(path, f"frequency {freq[i]!r} Hz is not > 0", int(line_no[i]))
    z = zr + 1j * zi
    badz = ~np.isfinite(z)
    if badz.any():
        i = int(np.flatnonzero(badz)[0])
        raise FileFormatError(path, "impedance is not finite", int(line_no[i]))
    if loop_bounds is not None:
        groups = [np.arange(a, b + 1) for a, b in loop_bounds]
        keys = list(range(len(groups)))
    elif loop_key is not None and np.unique(loop_key).size > 1:
        _, first = np.unique(loop_key, return_index=True)
        order = np.sort(first)
        keys = [loop_key[i] for i in order]
        groups = [np.flatnonzero(loop_key == k) for k in keys]
    else:
        groups = [np.arange(freq.size)]
        keys = [None]
    out = []
    for i, (idx, key) in enumerate(zip(groups, keys)):
        meta = dict(metadata)
        meta["first_line"] = int(line_no[idx[0]])
        if key is not None and loop_bounds is None:
            meta["cycle"] = float(key)
        out.append(Spectrum(freq[idx], z[idx], meta, path, i, fmt, None if time is None else time[idx]))
    return out


def _parse_rows(path: str, lines: list[str], indices: list[int], split: Callable[[str], list[str]], ncols: int,
                names: list[str], roles: dict[str, tuple[int, float]], decimal_comma: bool) -> dict[str, np.ndarray]:
    """Parse the rows at ``indices`` (0-based line indices); each must have ``ncols`` fields."""
    need = [r for r in ("freq", "real", "imag", "mod", "phase", "loop", "time") if r in roles]
    cols = {r: np.empty(len(indices)) for r in need}
    for k, i in enumerate(indices):
        fields = split(lines[i])
        if len(fields) != ncols:
            what = "truncated line? " if len(fields) < ncols else ""
            raise FileFormatError(path, f"{what}{len(fields)} fields where the header has {ncols} columns", i + 1)
        for r in need:
            j, _ = roles[r]
            cols[r][k] = parse_number(path, fields[j], i + 1, names[j] if j < len(names) else f"#{j + 1}",
                                      decimal_comma)
    out = {"line": np.asarray(indices, dtype=int) + 1}
    for r in need:
        out[r] = cols[r] * roles[r][1] if r not in ("loop",) else cols[r]
    return out


def _impedance_from(path: str, cols: dict[str, np.ndarray], names_found: list[str]) -> tuple[np.ndarray, np.ndarray]:
    if "real" in cols and "imag" in cols:
        return cols["real"], cols["imag"]
    if "mod" in cols and "phase" in cols:
        return cols["mod"] * np.cos(cols["phase"]), cols["mod"] * np.sin(cols["phase"])
    raise FileFormatError(path, "no impedance columns recognised; need Re and Im (e.g. Z', Z'' or Re(Z), -Im(Z)) or "
                                f"|Z| and phase; columns found: {names_found}")


def _check_roles(path: str, roles: dict, names: list[str], line: int | None) -> None:
    if "freq" not in roles:
        raise FileFormatError(path, f"no frequency column among {names} (expected e.g. 'freq/Hz', 'Freq', "
                                    "'frequency_Hz')", line)
    if not (("real" in roles and "imag" in roles) or ("mod" in roles and "phase" in roles)):
        raise FileFormatError(path, f"no impedance columns among {names} (expected Re/Im such as Z', Z'', "
                                    "Re(Z)/Ohm, -Im(Z)/Ohm, Zreal, Zimag, or |Z| and phase)", line)


def _split_tab(line: str) -> list[str]:
    fields = line.rstrip("\r\n").split("\t")
    while fields and not fields[-1].strip():
        fields.pop()
    return fields


# ====================================================================== chosen columns
def parse_columns(columns) -> list[str] | None:
    """``"f,re,im"`` (or a sequence) -> three stripped items; None when not given."""
    if columns is None:
        return None
    items = [s.strip() for s in (columns.split(",") if isinstance(columns, str) else map(str, columns))]
    if len(items) != 3 or not all(items) or any(s == "-" for s in items):
        raise InputError("columns", columns, "three columns f,re,im: names from the header or 0-based indices, "
                                             "e.g. 'freq,zre,zim' or '0,1,2' ('-' before the third when it holds "
                                             "-Im Z)")
    return items


def chosen_roles(path: str, names: list[str], columns: list[str], line: int | None) -> dict[str, tuple[int, float]]:
    """Roles ``freq``, ``real``, ``imag`` (index, factor) of the columns chosen by the user.

    Each item is a 0-based index or a column name (case-insensitive, quotes and spaces
    ignored); a leading ``-`` on the third item negates it (a column of -Im Z). The unit
    factor of a recognised name (``mOhm``, ``kHz``, a leading ``-`` in the name) is kept.
    """
    def key(s: str) -> str:
        return s.strip().strip('"').strip().lower().replace(" ", "")

    keys = [key(n) for n in names]
    known = recognise_columns(names)
    out: dict[str, tuple[int, float]] = {}
    for role, item in zip(("freq", "real", "imag"), columns):
        sign = 1.0
        j = keys.index(key(item)) if key(item) in keys else None
        if j is None and role == "imag" and item.startswith("-"):
            sign, item = -1.0, item[1:].strip()
            j = keys.index(key(item)) if key(item) in keys else None
        if j is None and re.fullmatch(r"\d+", item):
            j = int(item)
            if j >= len(names):
                raise FileFormatError(path, f"column index {j} for {role}: the data have {len(names)} columns "
                                            f"(0..{len(names) - 1})", line)
        if j is None:
            raise FileFormatError(path, f"no column {item!r} for {role}; the columns are "
                                        f"{', '.join(repr(n) for n in names)} (or give 0-based indices)", line)
        factor = 1.0
        for r, (k, f) in known.items():
            if k == j and r in ("freq", "real", "imag", "mod"):
                factor = abs(f) if role != "imag" else f
                break
        if role == "imag" and known.get("real", (None,))[0] == j:
            factor = known["real"][1]
        out[role] = (j, sign * factor)
    if len({j for j, _ in out.values()}) < 3:
        raise FileFormatError(path, f"columns {columns}: f, Re Z and Im Z must be three different columns", line)
    for r in ("loop", "time"):
        if r in known and known[r][0] not in {j for j, _ in out.values()}:
            out[r] = known[r]
    return out


# ====================================================================== BioLogic .mpt
_NB_HEADER = re.compile(r"\s*Nb\s+header\s+lines\s*:\s*(\d+)\s*\Z", re.IGNORECASE)
_N_LOOPS = re.compile(r"\s*Number\s+of\s+loops\s*:\s*(\d+)\s*\Z", re.IGNORECASE)
_LOOP = re.compile(r"\s*Loop\s+(\d+)\s+from\s+point\s+number\s+(\d+)\s+to\s+(\d+)\s*\Z", re.IGNORECASE)


def _is_mpt_columns(line: str) -> bool:
    low = line.lower()
    return "freq" in low and ("re(z)" in low or "im(z)" in low)


def _read_mpt(path: str, lines: list[str], columns=None) -> list[Spectrum]:
    first = lines[0].strip().lstrip("\ufeff")
    if not first.upper().startswith("EC-LAB ASCII FILE"):
        raise FileFormatError(path, f"first line {first[:40]!r} is not 'EC-Lab ASCII FILE'", 1)
    if len(lines) < 2 or not _NB_HEADER.match(lines[1]):
        shown = lines[1][:60] if len(lines) > 1 else ""
        raise FileFormatError(path, f"expected 'Nb header lines : N', found {shown!r}", 2)
    n_header = int(_NB_HEADER.match(lines[1]).group(1))
    actual = next((i + 1 for i, ln in enumerate(lines[:max(n_header + 50, 400)]) if _is_mpt_columns(ln)), None)
    if n_header < 3 or n_header > len(lines):
        hint = f" (the column header is on line {actual})" if actual else ""
        raise FileFormatError(path, f"'Nb header lines : {n_header}' does not fit a file of {len(lines)} lines"
                                    f"{hint}", 2)
    col_line = lines[n_header - 1]
    if not _is_mpt_columns(col_line):
        hint = (f"; the column header is on line {actual}, so the header length should be {actual}"
                if actual else "; no column header with freq/Hz and Re(Z) found")
        raise FileFormatError(path, f"header says {n_header} header lines but line {n_header} is not the column "
                                    f"header{hint}", n_header)
    names = _split_tab(col_line)
    roles = chosen_roles(path, names, columns, n_header) if columns else recognise_columns(names)
    _check_roles(path, roles, names, n_header)

    # header metadata and loop table
    meta: dict = {"format": "biologic-mpt"}
    n_loops = None
    loops: list[tuple[int, int, int]] = []
    for k, ln in enumerate(lines[2:n_header - 1], start=3):
        s = ln.strip()
        if not s:
            continue
        if "Impedance Spectroscopy" in s and "technique" not in meta:
            meta["technique"] = ("GEIS" if s.lower().startswith("galvano") else
                                 "PEIS" if "potentio" in s.lower() else s)
            meta["technique_name"] = s
        m = _N_LOOPS.match(s)
        if m:
            n_loops = int(m.group(1))
            continue
        m = _LOOP.match(s)
        if m:
            loops.append((int(m.group(1)), int(m.group(2)), int(m.group(3))))
            continue
        if " : " in s:
            key, _, value = s.partition(" : ")
            key = key.strip()
            if key and key not in meta and len(key) < 80:
                meta[key] = value.strip()

    data_idx = [i for i in range(n_header, len(lines)) if lines[i].strip()]
    if not data_idx:
        raise FileFormatError(path, "has a header but no data rows", n_header)
    sample = _split_tab(lines[data_idx[0]])
    decimal_comma = any("," in t for t in sample)
    cols = _parse_rows(path, lines, data_idx, _split_tab, len(names), names, roles, decimal_comma)
    zr, zi = _impedance_from(path, cols, names)
    n = len(data_idx)

    bounds = None
    if loops:
        loops.sort()
        if n_loops is not None and len(loops) != n_loops:
            raise FileFormatError(path, f"'Number of loops : {n_loops}' but {len(loops)} 'Loop ... from point "
                                        "number' lines")
        expect = 0
        for idx, (li, a, b) in enumerate(loops):
            if li != idx or a != expect or b < a:
                raise FileFormatError(path, f"loop table: 'Loop {li} from point number {a} to {b}' does not "
                                            f"continue the previous loop (expected loop {idx} from point {expect})")
            expect = b + 1
        if expect != n:
            what = "truncated? " if expect > n else ""
            raise FileFormatError(path, f"{what}the loop table covers points 0..{expect - 1} but the file has {n} "
                                        "data rows", int(cols['line'][-1]))
        bounds = [(a, b) for _, a, b in loops]
    meta["decimal_comma"] = decimal_comma
    meta["columns"] = names
    return _assemble(path, "biologic-mpt", cols["line"], cols["freq"], zr, zi, meta,
                     cols.get("loop"), cols.get("time"), bounds)


# ====================================================================== BioLogic .mpr
def _read_mpr(path: str, raw: bytes) -> list[Spectrum]:
    import io
    import warnings

    try:
        from galvani import BioLogic
    except ImportError as exc:  # pragma: no cover - galvani is a dependency
        raise FileFormatError(path, f"reading .mpr files needs galvani ({exc})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mpr = BioLogic.MPRfile(io.BytesIO(raw))
            data = mpr.data
            names = list(data.dtype.names or ())
    except CellsimError:
        raise
    except Exception as exc:  # galvani raises many types on corrupt input; wrap them all
        raise FileFormatError(path, f"not a readable BioLogic .mpr file ({type(exc).__name__}: {exc})") from None
    roles = recognise_columns(names)
    if "freq" not in roles or not (("real" in roles and "imag" in roles) or ("mod" in roles and "phase" in roles)):
        raise FileFormatError(path, f"BioLogic .mpr without impedance data (not PEIS/GEIS); columns: {names}")
    # numpy's floating-point warnings on corrupt numbers ("invalid value encountered in cast",
    # overflow, ...) become reader errors naming the column, not a raw RuntimeWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(all="raise"):
            try:
                return _mpr_spectra(path, mpr, data, names, roles)
            except (FloatingPointError, RuntimeWarning) as exc:
                raise FileFormatError(path, f"corrupt .mpr data module: {_mpr_bad_column(data, names, roles)} "
                                            f"({exc})") from None


def _mpr_bad_column(data, names: list[str], roles: dict) -> str:
    """Which impedance column of a corrupt .mpr holds a value that is not a finite number."""
    for r, (j, _) in roles.items():
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                v = np.asarray(data[names[j]])
                bad = ~np.isfinite(v.astype(float))
            except Exception:
                return f"column {names[j]!r} cannot be read as numbers"
        if bad.any():
            return f"column {names[j]!r} holds a non-finite number at data point {int(np.flatnonzero(bad)[0])} (0-based)"
    return "a value outside the range of a float"


def _mpr_spectra(path: str, mpr, data, names: list[str], roles: dict) -> list[Spectrum]:
    try:
        cols = {}
        for r, (j, factor) in roles.items():
            v = np.asarray(data[names[j]], dtype=float)
            cols[r] = v if r == "loop" else v * factor
        n = cols["freq"].size
    except (FloatingPointError, RuntimeWarning):
        raise
    except Exception as exc:
        raise FileFormatError(path, f"corrupt .mpr data module ({type(exc).__name__}: {exc})") from None
    zr, zi = _impedance_from(path, cols, names)
    bad = ~(np.isfinite(cols["freq"]) & np.isfinite(zr) & np.isfinite(zi))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FileFormatError(path, f"data point {i} (0-based) has a non-finite frequency or impedance")
    meta: dict = {"format": "biologic-mpr", "columns": names}
    for attr in ("timestamp", "startdate", "enddate", "version"):
        v = getattr(mpr, attr, None)
        if v is not None:
            meta[attr] = v.isoformat() if hasattr(v, "isoformat") else v
    bounds = None
    li = getattr(mpr, "loop_index", None)
    if li is not None:
        try:
            li = np.asarray(li, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):
            li = np.zeros(0, dtype=np.int64)
        if li.size >= 3 and li[0] == 0 and np.all(np.diff(li) > 0) and li[-1] == n:
            bounds = [(int(a), int(b) - 1) for a, b in zip(li[:-1], li[1:])]
    meta["loop_source"] = "loop module" if bounds else ("cycle number" if "loop" in cols else "none")
    # "line" is the 1-based data point number for .mpr files
    return _assemble(path, "biologic-mpr", np.arange(1, n + 1), cols["freq"], zr, zi, meta,
                     cols.get("loop"), cols.get("time"), bounds)


# ====================================================================== Gamry .DTA
_ZCURVE = re.compile(r"ZCURVE\tTABLE(?:\t(\d+))?\s*\Z")


def _read_dta(path: str, lines: list[str], columns=None) -> list[Spectrum]:
    start = next((i for i, ln in enumerate(lines) if _ZCURVE.match(ln)), None)
    if start is None:
        raise FileFormatError(path, "no 'ZCURVE<TAB>TABLE' line: not a Gamry impedance (EIS) file")
    expected_rows = _ZCURVE.match(lines[start]).group(1)
    if start + 2 >= len(lines):
        raise FileFormatError(path, "ZCURVE table has no column-name and unit lines", start + 1)
    names = [t.strip() for t in _split_tab(lines[start + 1])]
    if names and names[0] == "":
        names = names[1:]
    roles = chosen_roles(path, names, columns, start + 2) if columns else recognise_columns(names)
    _check_roles(path, roles, names, start + 2)
    meta: dict = {"format": "gamry-dta"}
    for ln in lines[:start]:
        parts = ln.split("\t")
        if len(parts) >= 2 and parts[0] == "TAG":
            meta.setdefault("TAG", parts[1].strip())
        elif len(parts) >= 3 and parts[0] and parts[0].isupper() and parts[1] in (
                "LABEL", "QUANT", "IQUANT", "POTEN", "TOGGLE", "SELECTOR"):
            meta.setdefault(parts[0], parts[2].strip())
    if "TAG" in meta:
        meta["technique"] = meta["TAG"]
    data_idx = []
    i = start + 3
    while i < len(lines):
        ln = lines[i]
        if not ln.strip():
            i += 1
            continue
        if ln[0] in "\t ":
            data_idx.append(i)
        elif re.match(r"[A-Z][A-Z0-9_]*(\t|\Z)", ln):
            break  # next Gamry tag (e.g. EXPERIMENTABORTED) ends the table
        else:
            raise FileFormatError(path, f"unexpected line inside the ZCURVE table: {ln[:40]!r}", i + 1)
        i += 1
    if not data_idx:
        raise FileFormatError(path, "ZCURVE table has no data rows", start + 3)

    def split(line: str) -> list[str]:
        f = _split_tab(line)
        if f and not f[0].strip():
            f = f[1:]
        return f

    decimal_comma = any("," in t for t in split(lines[data_idx[0]]))
    cols = _parse_rows(path, lines, data_idx, split, len(names), names, roles, decimal_comma)
    if expected_rows is not None and int(expected_rows) != len(data_idx):
        raise FileFormatError(path, f"ZCURVE table announces {expected_rows} rows but has {len(data_idx)} "
                                    "(truncated?)", data_idx[-1] + 1)
    zr, zi = _impedance_from(path, cols, names)
    meta["decimal_comma"] = decimal_comma
    meta["columns"] = names
    return _assemble(path, "gamry-dta", cols["line"], cols["freq"], zr, zi, meta, None, cols.get("time"))


# ====================================================================== ZPlot / ZView .z
def _read_z(path: str, lines: list[str], columns=None) -> list[Spectrum]:
    end = None
    for i, ln in enumerate(lines):
        s = ln.strip().strip('"').strip().lower()
        if s.startswith("end header") or (s.startswith("end comments") and end is None):
            end = i
        if s.startswith("end header"):
            break
    if end is None:
        raise FileFormatError(path, "ZPlot file without an 'End Comments' or 'End Header:' line")
    names: list[str] | None = None
    roles: dict = {}
    for ln in lines[:end]:
        if "freq" in ln.lower() and "z'" in ln.lower().replace("\u2019", "'"):
            cand = [t.strip().strip('"') for t in (ln.split("\t") if "\t" in ln else ln.split(","))]
            cand = [t for t in cand if t]
            r = recognise_columns(cand)
            if "freq" in r and "real" in r and "imag" in r:
                names, roles = cand, r
    data_idx = [i for i in range(end + 1, len(lines)) if lines[i].strip()]
    if not data_idx:
        raise FileFormatError(path, "has a header but no data rows", end + 1)
    first = lines[data_idx[0]]
    comma = "," in first and len([t for t in first.split(",")]) >= 3

    def split(line: str) -> list[str]:
        if comma:
            f = [t.strip() for t in line.split(",")]
            while f and not f[-1]:
                f.pop()
            return f
        return line.split()

    ncols = len(split(first))
    if names is None:
        if ncols < 6:
            raise FileFormatError(path, f"ZPlot data row with {ncols} columns; expected at least 6 "
                                        "(Freq, Ampl, Bias, Time, Z', Z'')", data_idx[0] + 1)
        names = ["Freq(Hz)", "Ampl", "Bias", "Time(Sec)", "Z'(a)", "Z''(b)"] + [f"col{k}" for k in range(7, ncols + 1)]
        roles = recognise_columns(names)
    elif len(names) != ncols:
        raise FileFormatError(path, f"{ncols} fields where the column header has {len(names)}", data_idx[0] + 1)
    if columns:
        roles = chosen_roles(path, names, columns, data_idx[0] + 1)
    cols = _parse_rows(path, lines, data_idx, split, ncols, names, roles, decimal_comma=not comma)
    zr, zi = _impedance_from(path, cols, names)
    meta = {"format": "zview-z", "columns": names}
    return _assemble(path, "zview-z", cols["line"], cols["freq"], zr, zi, meta, None, cols.get("time"))


# ====================================================================== delimited tables
_COMMENT = ("#", "%", "!", "//")


def _splitter(delim: str) -> Callable[[str], list[str]]:
    if delim == "ws":
        return lambda line: line.split()

    def split(line: str) -> list[str]:
        f = [t.strip() for t in line.split(delim)]
        while f and not f[-1]:
            f.pop()
        return f

    return split


def _read_table(path: str, lines: list[str], columns=None) -> list[Spectrum]:
    content = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith(_COMMENT)]
    if not content:
        raise FileFormatError(path, "has no data rows (only blank or comment lines)")
    # choose the delimiter: the first whose numeric rows (among the first lines) split consistently
    probe = content[:60]
    chosen = None
    for delim in ("\t", ";", ",", "ws"):
        split = _splitter(delim)
        dc = delim != ","
        numeric = []
        for i in probe:
            f = split(lines[i])
            if len(f) >= 2 and all(is_number(t, dc) for t in f):
                numeric.append((i, len(f)))
        if numeric and (delim == "ws" or any(delim in lines[i] for i, _ in numeric)):
            chosen = (delim, numeric)
            break
    if chosen is None:
        i = content[0] if len(content) == 1 else content[min(len(content) - 1, 1)]
        raise FileFormatError(path, "no numeric data rows recognised (expected columns f, Z', Z'' separated by "
                                    "commas, semicolons, tabs or spaces)", i + 1)
    delim, numeric = chosen
    split = _splitter(delim)
    decimal_comma = delim != ","
    first_data = numeric[0][0]
    ncols = numeric[0][1]
    header_lines = [i for i in content if i < first_data]
    names: list[str]
    if header_lines:
        h = header_lines[-1]
        hfields = [t.strip().strip('"') for t in split(lines[h])]
        names = hfields
        if len(names) != ncols:
            raise FileFormatError(path, f"{ncols} fields where the column header (line {h + 1}) has {len(names)} "
                                        f"names: {names}", first_data + 1)
        roles = chosen_roles(path, names, columns, h + 1) if columns else recognise_columns(names)
        _check_roles(path, roles, names, h + 1)
        fmt = "cellsim-csv" if [n.lower() for n in names[:3]] == ["frequency_hz", "z_real_ohm", "z_imag_ohm"] \
            else "table"
    elif columns:
        names = [f"#{k}" for k in range(ncols)]
        roles = chosen_roles(path, names, columns, first_data + 1)
        fmt = "table"
    else:
        if ncols != 3:
            raise FileFormatError(path, f"data rows have {ncols} columns and there is no header naming them; "
                                        "without a header the columns must be exactly f [Hz], Z' [ohm], Z'' [ohm] "
                                        "(Z'' = Im Z, negative for capacitive), or be chosen with columns "
                                        "(--columns 0,1,2: 0-based indices of f, Re Z, Im Z)", first_data + 1)
        names = ["f/Hz", "Z'/ohm", "Z''/ohm"]
        roles = recognise_columns(names)
        fmt = "table"
    data_idx = [i for i in content if i >= first_data]
    cols = _parse_rows(path, lines, data_idx, split, ncols, names, roles, decimal_comma)
    zr, zi = _impedance_from(path, cols, names)
    meta = {"format": fmt, "columns": names, "delimiter": {"ws": "whitespace"}.get(delim, delim),
            "decimal_comma": decimal_comma and any("," in lines[i] for i in data_idx[:5])}
    if header_lines[:-1]:
        meta["preamble"] = [lines[i].strip()[:200] for i in header_lines[:-1][:20]]
    loop_key = cols.get("loop")
    return _assemble(path, fmt, cols["line"], cols["freq"], zr, zi, meta, loop_key, cols.get("time"))
