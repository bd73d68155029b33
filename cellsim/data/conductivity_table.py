"""Reading a CSV table of conductivity (or bulk resistance, or spectra) against temperature.

The table of an Arrhenius/VTF plot (seed Fig. S7 style): a temperature column and one of
a conductivity column, a bulk-resistance column or a column naming impedance spectra
(converted with the seed's Eq. 1, ``sigma = L/(R_b S)``). The laws and their fits are in
:mod:`cellsim.temperature`; the bulk resistance of a spectrum is read by
:func:`cellsim.fitting.bulk.bulk_resistance`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..checks import finite_number
from ..errors import FileFormatError, InputError

_T_UNITS = {"k": ("K", 0.0), "kelvin": ("K", 0.0), "degc": ("degC", 273.15), "c": ("degC", 273.15),
            "celsius": ("degC", 273.15), "°c": ("degC", 273.15), "oc": ("degC", 273.15)}
_T_NAMES = ("t", "temperature", "temp")
_SIGMA_NAMES = ("sigma", "conductivity", "kappa", "ionic_conductivity", "sigma_ion")
_R_NAMES = ("r", "rb", "r_b", "resistance", "bulk_resistance")
_FILE_NAMES = ("file", "path", "spectrum")
_ERR_PREFIXES = ("sigma_err", "sigma_error", "sigma_stderr", "sigma_std", "dsigma", "err_sigma", "u_sigma",
                 "sigma_uncertainty", "conductivity_err", "conductivity_error", "conductivity_stderr")


@dataclass(frozen=True)
class ConductivityTable:
    """Conductivity against temperature, SI.

    Attributes
    ----------
    temperature : ndarray
        T [K].
    sigma : ndarray
        Conductivity [S/m].
    sigma_err : ndarray or None
        One-sigma uncertainty [S/m].
    source : str
        File it was read from.
    resistance : ndarray or None
        Bulk resistance [ohm] when the conductivity was computed from resistances or
        spectra (``sigma = L/(R S)``).
    """

    temperature: np.ndarray
    sigma: np.ndarray
    sigma_err: np.ndarray | None = None
    source: str = ""
    resistance: np.ndarray | None = None


@dataclass
class _Columns:
    """What the header says: the column of each role, unit factors, temperature offset."""

    names: list[str]
    index: dict[str, int] = field(default_factory=dict)
    factor: dict[str, float] = field(default_factory=lambda: {"sigma": 1.0, "err": 1.0, "r": 1.0})
    t_offset: float = 0.0
    kind: str = ""

    def claim(self, role: str, j: int, where: str, line: int) -> None:
        if role in self.index:
            raise FileFormatError(where, f"two {role} columns ({self.names[self.index[role]]!r}, {self.names[j]!r})",
                                  line)
        self.index[role] = j


def read_conductivity_table(path, thickness: float | None = None, area: float | None = None) -> ConductivityTable:
    """Read a CSV table of conductivity (or resistance, or spectra) against temperature.

    The header names the columns with their units. A temperature column ``T_K`` or
    ``T_degC`` (also ``T_C``, ``temperature_K``, ``T (K)``, ``T (degC)``) and one of

    * a conductivity column ``sigma_S_cm``, ``sigma_mS_cm``, ``sigma_S_m`` (also
      ``conductivity_...``, ``sigma (S/cm)``), optionally an uncertainty column
      ``sigma_err_<unit>`` (also ``sigma_stderr_``, ``dsigma_``, ...);
    * a bulk-resistance column ``R_ohm`` (also ``R_kohm``, ``Rb_ohm``, ``R (ohm)``),
      converted with the seed's Eq. 1, ``sigma = L/(R S)``; needs ``thickness`` and ``area``;
    * a ``file`` column naming impedance spectra (paths relative to the table; any format
      :func:`cellsim.data.read_spectrum` reads); R_b from
      :func:`~cellsim.fitting.bulk.bulk_resistance`, then Eq. 1.

    Comma, semicolon or tab separated; lines starting with ``#`` are comments.

    Parameters
    ----------
    path : str or Path
    thickness : float, optional
        Sample thickness L [m] (resistance or spectra tables).
    area : float, optional
        Electrode area S [m2] (resistance or spectra tables).

    Raises
    ------
    FileFormatError
        Missing file, missing or ambiguous columns, unknown units, non-numeric cells,
        non-positive values (the message names file, line and column).
    InputError
        Resistances or spectra without ``thickness`` and ``area``.
    """
    p = Path(path)
    where = str(p)
    lines = _data_lines(p, where)
    header_line, header = lines[0]
    try:
        delim = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    cols = _columns(next(csv.reader(io.StringIO(header), delimiter=delim)), header, where, header_line)
    if cols.kind != "conductivity":
        if thickness is None or area is None:
            raise InputError("thickness/area", (thickness, area),
                             f"the sample thickness and electrode area to convert the {cols.kind} column to "
                             "conductivity (sigma = L/(R S))", where)
        thickness = finite_number(thickness, "thickness", 0.0, low_open=True)
        area = finite_number(area, "area", 0.0, low_open=True)
    T, V, E = [], [], []
    for lineno, ln in lines[1:]:
        row = next(csv.reader(io.StringIO(ln), delimiter=delim))
        if len(row) != len(cols.names):
            raise FileFormatError(where, f"{len(row)} columns, the header has {len(cols.names)}", lineno)
        tk, v, e = _row(row, cols, p, lineno)
        if e is not None:
            E.append(e)
        T.append(tk)
        V.append(v)
    if not T:
        raise FileFormatError(where, "no data rows after the header", header_line)
    V = np.array(V)
    if cols.kind == "conductivity":
        return ConductivityTable(np.array(T), V, np.array(E) if E else None, where)
    sigma = thickness / (V * area)
    err = None
    if E:  # uncertainty given in conductivity units
        err = np.array(E)
    return ConductivityTable(np.array(T), sigma, err, where, resistance=V)


def _data_lines(p: Path, where: str) -> list[tuple[int, str]]:
    """(line number, text) of the non-blank, non-comment lines; the first is the header."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(where, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise FileFormatError(where, "empty file: expected a header such as 'T_degC,sigma_S_cm' and data rows")
    return lines


def _columns(names: list[str], header: str, where: str, line: int) -> _Columns:
    """The role of each header column and its unit; exactly one kind of value column."""
    cols = _Columns(names)
    for j, name in enumerate(names):
        base, unit = _split_header(name)
        if base in _T_NAMES:
            u = _T_UNITS.get(unit.lower())
            if u is None:
                raise FileFormatError(where, f"column {name!r}: temperature unit {unit!r} not understood "
                                             "(use T_K or T_degC)", line)
            cols.claim("temperature", j, where, line)
            cols.t_offset = u[1]
        elif base in _ERR_PREFIXES:
            cols.claim("uncertainty", j, where, line)
            cols.factor["err"] = _conductivity_factor(unit, where, name)
        elif base in _SIGMA_NAMES:
            if not unit:
                raise FileFormatError(where, f"column {name!r} has no unit (use e.g. sigma_S_cm)", line)
            cols.claim("conductivity", j, where, line)
            cols.factor["sigma"] = _conductivity_factor(unit, where, name)
        elif base in _R_NAMES:
            if not unit:
                raise FileFormatError(where, f"column {name!r} has no unit (use e.g. R_ohm)", line)
            cols.claim("resistance", j, where, line)
            cols.factor["r"] = _resistance_factor(unit, where, name)
        elif base in _FILE_NAMES:
            cols.claim("file", j, where, line)
    kinds = [k for k in ("conductivity", "resistance", "file") if k in cols.index]
    if "temperature" not in cols.index or len(kinds) != 1:
        raise FileFormatError(where, f"header {header.strip()!r} needs a temperature column (T_K or T_degC) and "
                                     "exactly one of: a conductivity column with its unit (e.g. sigma_S_cm), a "
                                     "resistance column (R_ohm) or a spectrum file column (file)", line)
    cols.kind = kinds[0]
    return cols


def _row(row: list[str], cols: _Columns, p: Path, lineno: int) -> tuple[float, float, float | None]:
    """(T [K], conductivity [S/m] or resistance [ohm], uncertainty [S/m] or None) of one data row."""
    where = str(p)
    idx = cols.index

    def number(role):
        j = idx[role]
        cell = row[j].strip()
        try:
            v = float(cell)
        except ValueError:
            raise FileFormatError(where, f"column {cols.names[j]!r}: {cell!r} is not a number", lineno) from None
        if not math.isfinite(v):
            raise FileFormatError(where, f"column {cols.names[j]!r}: {cell!r} is not finite", lineno)
        return v

    tk = number("temperature") + cols.t_offset
    if tk <= 0:
        raise FileFormatError(where, f"column {cols.names[idx['temperature']]!r}: {row[idx['temperature']].strip()} "
                                     "is not above 0 K", lineno)
    if cols.kind == "file":
        v = _spectrum_resistance(row[idx["file"]].strip(), p)
    else:
        col = "conductivity" if cols.kind == "conductivity" else "resistance"
        v = number(col)
        if v <= 0:
            raise FileFormatError(where, f"column {cols.names[idx[col]]!r}: {row[idx[col]].strip()} is not > 0", lineno)
        v *= cols.factor["sigma"] if cols.kind == "conductivity" else cols.factor["r"]
    e = None
    if "uncertainty" in idx:
        e = number("uncertainty")
        if e <= 0:
            raise FileFormatError(where, f"column {cols.names[idx['uncertainty']]!r}: "
                                         f"{row[idx['uncertainty']].strip()} is not an uncertainty > 0", lineno)
        e *= cols.factor["err"]
    return tk, v, e


def _spectrum_resistance(fname: str, table: Path) -> float:
    """Bulk resistance [ohm] of the spectrum file ``fname`` (relative to the table's folder)."""
    from ..fitting.bulk import bulk_resistance
    from .readers import read_spectrum

    fpath = Path(fname) if Path(fname).is_absolute() else table.parent / fname
    spec = read_spectrum(fpath)
    try:
        v = bulk_resistance(spec.frequency, spec.z)
    except InputError as exc:
        raise FileFormatError(str(fpath), f"no bulk resistance: {exc}", None) from None
    if not v > 0:
        raise FileFormatError(str(fpath), f"bulk resistance read as {v:g} ohm (not > 0)", None)
    return v


def _split_header(name: str) -> tuple[str, str]:
    """``"sigma_S_cm"`` -> ("sigma", "S/cm"); ``"T (degC)"`` -> ("t", "degC")."""
    raw = name.strip().lstrip("\ufeff")
    m = re.match(r"^(.*?)\s*[\(\[]\s*(.+?)\s*[\)\]]\s*$", raw)
    if m:
        return m.group(1).strip().lower().replace(" ", "_").replace("-", "_"), m.group(2).strip()
    key = raw.lower().replace(" ", "_").replace("-", "_")
    for base in sorted(_ERR_PREFIXES + _SIGMA_NAMES + _R_NAMES + _T_NAMES, key=len, reverse=True):
        if key == base:
            return key, ""
        if key.startswith(base + "_"):
            unit = raw[len(base) + 1:]
            return base, unit
    return key, ""


def _conductivity_factor(unit: str, path: str, column: str) -> float:
    from ..errors import UnitError
    from ..units import parse_quantity

    text = unit.replace("_", "/", 1) if "/" not in unit and " " not in unit else unit
    # "S_cm" -> "S/cm", "mS_cm" -> "mS/cm", "S_m" -> "S/m"
    try:
        return parse_quantity(f"1 {text}", "conductivity", column, path)
    except UnitError:
        raise FileFormatError(path, f"column {column!r}: unknown conductivity unit {unit!r} "
                                    "(use e.g. sigma_S_cm, sigma_mS_cm, sigma_S_m or 'sigma (S/cm)')", 1) from None


def _resistance_factor(unit: str, path: str, column: str) -> float:
    from ..errors import UnitError
    from ..units import parse_quantity

    try:
        return parse_quantity(f"1 {unit}", "resistance", column, path)
    except UnitError:
        raise FileFormatError(path, f"column {column!r}: unknown resistance unit {unit!r} (use e.g. R_ohm, R_kohm)",
                              1) from None
