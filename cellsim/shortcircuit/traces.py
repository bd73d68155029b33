"""Voltage traces of plating/stripping (step-up) tests: a :class:`Trace` and readers.

A :class:`Trace` holds time [s], cell voltage [V] and current [A] (and, with an electrode
area, current density [A/m2]) of a galvanostatic cycling test, measured or simulated. The
readers turn instrument files into one:

* NEWARE ``.nda`` / ``.ndax`` through ``NewareNDA`` (columns ``Time``/``Timestamp``,
  ``Voltage`` [V], ``Current(mA)``);
* BioLogic EC-Lab ``.mpr`` through ``galvani`` (``time/s``, ``Ewe/V`` or ``Ecell/V``,
  ``I/mA`` or ``control/mA``) and ``.mpt`` text exports (header length read from the
  header, decimal comma or dot, latin-1 or UTF-8);
* CSV/TXT with recognised column names: time (``time_s``, ``time/s``, ``time_h``,
  ``Time (h)``, ...), voltage (``voltage_V``, ``Ewe/V``, ``voltage_mV``, ...), current
  (``current_A``, ``I/mA``, ``current_uA``, ...) or current density
  (``current_density_A_m2``, ``current_density_mA_cm2``).

Every failure raises :class:`cellsim.errors.FileFormatError` naming the file and, for
text files, the 1-based line; rows are never dropped silently.
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data._text import decode, parse_number, split_lines
from ..errors import FileFormatError, InputError

__all__ = ["Trace", "read_trace", "TRACE_FORMATS"]

TRACE_FORMATS = ("neware", "biologic-mpr", "biologic-mpt", "csv")


@dataclass(frozen=True)
class Trace:
    """A galvanostatic cycling record.

    Attributes
    ----------
    time : ndarray
        Time [s], non-decreasing.
    voltage : ndarray
        Cell voltage [V].
    current : ndarray
        Current [A] (positive: the instrument's positive direction); NaN where only the
        current density is known and no area was given.
    area : float or None
        Electrode area [m2] used to convert between current and current density.
    current_density_given : ndarray or None
        Current density [A/m2] when the file gives it directly.
    source : str
        File it was read from ("" when built in Python).
    metadata : dict
    """

    time: np.ndarray
    voltage: np.ndarray
    current: np.ndarray
    area: float | None = None
    current_density_given: np.ndarray | None = None
    source: str = ""
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        t = np.asarray(self.time, dtype=float).ravel()
        v = np.asarray(self.voltage, dtype=float).ravel()
        i = np.asarray(self.current, dtype=float).ravel()
        if not (t.size == v.size == i.size):
            raise InputError("trace", f"{t.size}/{v.size}/{i.size} time/voltage/current samples",
                             "arrays of equal length")
        if t.size < 2:
            raise InputError("trace.time", t.size, "at least 2 samples")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
            raise InputError("trace", "non-finite time or voltage", "finite samples")
        if np.any(np.diff(t) < 0):
            k = int(np.argmax(np.diff(t) < 0)) + 1
            raise InputError(f"trace.time[{k}]", float(t[k]), f"non-decreasing time (previous {t[k - 1]:g} s)")
        if self.area is not None and not (math.isfinite(self.area) and self.area > 0):
            raise InputError("trace.area", self.area, "an area > 0 m2")
        jd = None
        if self.current_density_given is not None:
            jd = np.asarray(self.current_density_given, dtype=float).ravel()
            if jd.size != t.size:
                raise InputError("trace.current_density_given", jd.size, f"{t.size} samples")
        for name, val in (("time", t), ("voltage", v), ("current", i), ("current_density_given", jd)):
            if val is not None:
                val.setflags(write=False)
            object.__setattr__(self, name, val)

    @property
    def current_density(self) -> np.ndarray:
        """Current density J = I / S [A/m2] (given directly by some files)."""
        if self.current_density_given is not None:
            return self.current_density_given
        if self.area is None:
            raise InputError("trace.area", None, "an electrode area (m2) to convert current to current density")
        return self.current / self.area

    def with_area(self, area: float) -> "Trace":
        """The same trace with an electrode area [m2] (current density = I / area)."""
        cur = self.current
        if self.current_density_given is not None and np.all(np.isnan(cur)):
            cur = self.current_density_given * area
        return Trace(self.time, self.voltage, cur, area, self.current_density_given, self.source, dict(self.metadata))


# ----------------------------------------------------------------------------- reading
def read_trace(path: str | os.PathLike, area: float | None = None, format: str | None = None) -> Trace:
    """Read a cycling file into a :class:`Trace`.

    Parameters
    ----------
    path : str or path-like
    area : float, optional
        Electrode area [m2] for current density.
    format : str, optional
        One of :data:`TRACE_FORMATS`; detected from the content when omitted.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise FileFormatError(path, "no such file") from None
    except IsADirectoryError:
        raise FileFormatError(path, "is a directory, not a data file") from None
    except OSError as exc:
        raise FileFormatError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not raw.strip():
        raise FileFormatError(path, "is empty")
    fmt = format or _detect(path, raw)
    if fmt not in TRACE_FORMATS:
        raise InputError("format", fmt, "one of " + ", ".join(TRACE_FORMATS))
    if fmt == "neware":
        trace = _read_neware(path)
    elif fmt == "biologic-mpr":
        trace = _read_mpr(path, raw)
    else:
        text, enc = decode(path, raw)
        lines = split_lines(text)
        trace = _read_mpt(path, lines) if fmt == "biologic-mpt" else _read_csv(path, lines)
        trace.metadata["encoding"] = enc
    return trace.with_area(area) if area is not None else trace


def _detect(path: str, raw: bytes) -> str:
    low = path.lower()
    if low.endswith((".nda", ".ndax")):
        return "neware"
    if raw.startswith(b"BIO-LOGIC MODULAR FILE"):
        return "biologic-mpr"
    head = raw[:64].lstrip(b"\xef\xbb\xbf").upper()
    if head.startswith(b"EC-LAB ASCII FILE"):
        return "biologic-mpt"
    if low.endswith(".mpr"):
        raise FileFormatError(path, "has the .mpr extension but not the 'BIO-LOGIC MODULAR FILE' signature")
    return "csv"


def _finish(path: str, t, v, i, jd, meta, line_numbers=None) -> Trace:
    t = np.asarray(t, dtype=float)
    if np.any(np.diff(t) < 0):
        k = int(np.argmax(np.diff(t) < 0)) + 1
        line = None if line_numbers is None else int(line_numbers[k])
        raise FileFormatError(path, f"time goes backwards ({t[k - 1]:g} s then {t[k]:g} s)", line)
    if t.size < 2:
        raise FileFormatError(path, f"has {t.size} data row(s); a trace needs at least 2")
    return Trace(t, v, i, None, jd, path, meta)


_TIME_COL = re.compile(r"^(?:time|t|test_?time|total_?time)(?:[\s/(\[_]*(s|sec|h|hr|min|ms))?[)\]]?$")
_VOLT_COL = re.compile(r"^(?:voltage|ewe|ecell|e|u|v|cell_?voltage|potential)(?:[\s/(\[_]*(v|mv))?[)\]]?$")
_CUR_COL = re.compile(r"^(?:current|i|control|cur)(?:[\s/(\[_]*(a|ma|ua|µa))?[)\]]?$")
_J_COL = re.compile(r"^(?:current_?density|j)(?:[\s/(\[_]*(a_?m2|a/m2|ma_?cm2|ma/cm2|ma_cm\^?-?2|a/m\^2|ma/cm\^2))?[)\]]?$")
_TSCALE = {None: 1.0, "s": 1.0, "sec": 1.0, "h": 3600.0, "hr": 3600.0, "min": 60.0, "ms": 1e-3}
_VSCALE = {None: 1.0, "v": 1.0, "mv": 1e-3}
_ISCALE = {None: 1.0, "a": 1.0, "ma": 1e-3, "ua": 1e-6, "µa": 1e-6}


def _jscale(unit: str | None) -> float:
    if unit is None:
        return 1.0
    return 10.0 if unit.startswith("ma") else 1.0  # 1 mA/cm2 = 10 A/m2


def _roles(names: list[str]) -> dict[str, tuple[int, float]]:
    roles: dict[str, tuple[int, float]] = {}
    for k, raw in enumerate(names):
        n = raw.strip().strip('"').strip().lower().replace(" ", "_").replace("<", "").replace(">", "")
        for role, rx, scale in (("time", _TIME_COL, _TSCALE), ("voltage", _VOLT_COL, _VSCALE),
                                ("j", _J_COL, None), ("current", _CUR_COL, _ISCALE)):
            if role in roles:
                continue
            m = rx.match(n)
            if m:
                roles[role] = (k, _jscale(m.group(1)) if scale is None else scale[m.group(1)])
                break
    return roles


def _delimiter(line: str) -> str:
    if "\t" in line:
        return "\t"
    if ";" in line:
        return ";"
    if "," in line:
        return ","
    return " "


def _split(line: str, delim: str) -> list[str]:
    return line.split() if delim == " " else [x.strip() for x in line.split(delim)]


def _table(path: str, lines: list[str], header_index: int, meta: dict, delim: str | None = None) -> Trace:
    header = lines[header_index]
    delim = delim or _delimiter(header)
    names = _split(header, delim)
    roles = _roles(names)
    missing = [r for r in ("time", "voltage") if r not in roles]
    if "current" not in roles and "j" not in roles:
        missing.append("current or current density")
    if missing:
        raise FileFormatError(path, f"column header {names!r} lacks {', '.join(missing)} "
                                    "(e.g. time_s, voltage_V, current_mA or current_density_mA_cm2)",
                              header_index + 1)
    rows = [k for k in range(header_index + 1, len(lines)) if lines[k].strip()]
    if not rows:
        raise FileFormatError(path, "has a column header but no data rows", header_index + 1)
    first = _split(lines[rows[0]], delim)
    decimal_comma = delim != "," and any(re.fullmatch(r"[+-]?\d+,\d*(?:[eE][+-]?\d+)?", x) for x in first)
    cols = {r: np.empty(len(rows)) for r in roles}
    for j, k in enumerate(rows):
        cells = _split(lines[k], delim)
        if len(cells) != len(names):
            raise FileFormatError(path, f"has {len(cells)} columns, the header has {len(names)}"
                                        + (" (truncated last line?)" if j == len(rows) - 1 else ""), k + 1)
        for r, (c, scale) in roles.items():
            cols[r][j] = parse_number(path, cells[c], k + 1, names[c], decimal_comma) * scale
    line_no = np.array(rows) + 1
    for r in ("time", "voltage"):
        bad = ~np.isfinite(cols[r])
        if bad.any():
            raise FileFormatError(path, f"non-finite {r} value", int(line_no[np.argmax(bad)]))
    jd = cols.get("j")
    cur = cols["current"] if "current" in cols else np.full(len(rows), np.nan)
    if "current" in cols and not np.all(np.isfinite(cur)):
        raise FileFormatError(path, "non-finite current value", int(line_no[np.argmax(~np.isfinite(cur))]))
    if jd is not None and not np.all(np.isfinite(jd)):
        raise FileFormatError(path, "non-finite current density value", int(line_no[np.argmax(~np.isfinite(jd))]))
    meta.update(columns=names, decimal_comma=decimal_comma)
    return _finish(path, cols["time"], cols["voltage"], cur, jd, meta, line_no)


def _read_csv(path: str, lines: list[str]) -> Trace:
    idx = next((k for k, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")), None)
    if idx is None:
        raise FileFormatError(path, "has no column header (only comments or blank lines)")
    return _table(path, lines, idx, {"format": "csv"})


_NB_HEADER = re.compile(r"\s*Nb header lines\s*:\s*(\d+)\s*$", re.IGNORECASE)


def _read_mpt(path: str, lines: list[str]) -> Trace:
    if len(lines) < 2 or not _NB_HEADER.match(lines[1]):
        shown = lines[1][:60] if len(lines) > 1 else ""
        raise FileFormatError(path, f"expected 'Nb header lines : N', found {shown!r}", 2)
    n_header = int(_NB_HEADER.match(lines[1]).group(1))
    if n_header < 3 or n_header > len(lines):
        raise FileFormatError(path, f"'Nb header lines : {n_header}' does not fit a file of {len(lines)} lines", 2)
    header = lines[n_header - 1]
    if "\t" not in header or not _roles(header.split("\t")).get("time"):
        raise FileFormatError(path, f"header says {n_header} header lines but line {n_header} is not a column "
                                    "header with time/s", n_header)
    return _table(path, lines, n_header - 1, {"format": "biologic-mpt"}, delim="\t")


def _read_mpr(path: str, raw: bytes) -> Trace:
    from galvani import BioLogic

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mpr = BioLogic.MPRfile(io.BytesIO(raw))
    except Exception as exc:  # galvani raises ValueError, struct.error, NotImplementedError, ...
        raise FileFormatError(path, f"is not a readable BioLogic .mpr file ({type(exc).__name__}: {exc})") from None
    data = mpr.data
    names = list(data.dtype.names or ())

    def col(*cands):
        for c in cands:
            if c in names:
                return np.asarray(data[c], dtype=float)
        return None

    t = col("time/s")
    v = col("Ewe/V", "Ecell/V", "<Ewe>/V", "<Ewe/V>")
    i = col("I/mA", "<I>/mA", "control/mA")
    if t is None or v is None or i is None:
        raise FileFormatError(path, f"has no time/voltage/current columns (found {names})")
    ok = np.isfinite(t) & np.isfinite(v) & np.isfinite(i)
    if not ok.all():
        raise FileFormatError(path, f"{int((~ok).sum())} record(s) with non-finite time, voltage or current "
                                    f"(first at record {int(np.argmax(~ok))})")
    return _finish(path, t, v, i * 1e-3, None, {"format": "biologic-mpr", "columns": names})


def _read_neware(path: str) -> Trace:
    try:
        import NewareNDA
    except ImportError:  # pragma: no cover - a declared dependency
        raise FileFormatError(path, "NEWARE files need the NewareNDA package (pip install NewareNDA)") from None
    import logging

    try:
        logging.getLogger("NewareNDA").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = NewareNDA.read(path, log_level="ERROR")
    except Exception as exc:  # NewareNDA raises many kinds on corrupt files
        raise FileFormatError(path, f"is not a readable NEWARE file ({type(exc).__name__}: {exc})") from None
    cols = list(df.columns)
    need = {"Voltage", "Current(mA)"}
    if not need <= set(cols) or not ({"Time", "Timestamp"} & set(cols)):
        raise FileFormatError(path, f"NEWARE data lack Time/Voltage/Current(mA) columns (found {cols})")
    if "Timestamp" in cols:
        ts = df["Timestamp"]
        t = (ts - ts.iloc[0]).dt.total_seconds().to_numpy(dtype=float)
    else:
        t = df["Time"].to_numpy(dtype=float)
    v = df["Voltage"].to_numpy(dtype=float)
    i = df["Current(mA)"].to_numpy(dtype=float) * 1e-3
    ok = np.isfinite(t) & np.isfinite(v) & np.isfinite(i)
    if not ok.all():
        raise FileFormatError(path, f"{int((~ok).sum())} record(s) with non-finite values (first at record "
                                    f"{int(np.argmax(~ok))})")
    meta: dict[str, Any] = {"format": "neware", "columns": cols}
    return _finish(path, t, v, i, None, meta)
