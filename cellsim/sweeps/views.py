"""Views of sweep results: ranking tables, heat maps over two axes, Pareto fronts.

All functions take the DataFrame of :func:`cellsim.sweeps.load_results` (SI columns) and
show lab units (um, mS/cm, mA/cm2, ohm cm2) in headers and axis labels. matplotlib is
imported only by the plotting functions.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from ..errors import InputError

# column suffix -> (lab unit, factor from SI to the lab unit); longest suffixes first
_UNITS: tuple[tuple[str, str, float], ...] = (
    ("_USD_m2", "USD/m2", 1.0),
    ("_ohm_m2", "ohm cm2", 1e4),
    ("_A_m2", "mA/cm2", 0.1),
    ("_C_m2", "mAh/cm2", 1e-4 / 3.6),
    ("_S_m", "mS/cm", 10.0),
    ("_m2", "cm2", 1e4),
    ("_ohm", "ohm", 1.0),
    ("_ppm", "ppm", 1.0),
    ("_m", "um", 1e6),
    ("_K", "K", 1.0),
    ("_s", "s", 1.0),
    ("_A", "uA", 1e6),
    ("_V", "V", 1.0),
)

#: Columns where a larger value is better (ranked descending, maximised on Pareto fronts).
HIGHER_IS_BETTER = {"ccd_A_m2", "survived_A_m2", "limiting_current_density_A_m2", "apparent_conductivity_S_m",
                    "scarcest_abundance_ppm", "electronic_resistance_ohm", "short_time_s"}

#: Columns where an empty value means "beyond the protocol" (no short): ranked as +inf.
NONE_IS_INFINITE = {"ccd_A_m2", "short_time_s"}

_NAMES = {
    "bulk_resistance_ohm": "R_bulk", "total_resistance_ohm": "R_total", "interface_resistance_ohm": "R_interfaces",
    "bulk_asr_ohm_m2": "ASR_bulk", "apparent_conductivity_S_m": "sigma_app", "total_thickness_m": "L_total",
    "limiting_current_density_A_m2": "J_lim", "electronic_resistance_ohm": "R_e",
    "self_discharge_current_A": "I_self-discharge", "self_discharge_current_density_A_m2": "J_self-discharge",
    "material_cost_USD_m2": "cost", "scarcest_abundance_ppm": "abundance", "ccd_A_m2": "CCD",
    "survived_A_m2": "J_survived",
}


def lab_unit(column: str) -> tuple[str, float]:
    """(lab unit, factor SI -> lab) of a results column, from its SI suffix ("" and 1 if none)."""
    for suffix, unit, factor in _UNITS:
        if column.endswith(suffix):
            return unit, factor
    return "", 1.0


def unit_label(column: str) -> str:
    """Header / axis label of a column in lab units, e.g. ``"uvea_thickness [um]"``."""
    unit, _ = lab_unit(column)
    if not unit:
        return column
    base = column
    for suffix, u, _ in _UNITS:
        if column.endswith(suffix):
            base = column[: -len(suffix)]
            break
    return f"{_NAMES.get(column, base)} [{unit}]"


def lab_values(series, column: str) -> list:
    """The values of a column converted to its lab unit (text and None unchanged)."""
    _, factor = lab_unit(column)
    out = []
    for v in series:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v) * factor)
        elif hasattr(v, "item"):
            out.append(float(v.item()) * factor)
        else:
            out.append(v)
    return out


def _check_column(df, col: str, what: str) -> None:
    if col not in df.columns:
        raise InputError(what, col, "a column of the results: " + ", ".join(df.columns))


def select(df, at: Mapping[str, Any] | None = None):
    """Rows of ``df`` with status ok where each column of ``at`` equals the given value.

    Numeric values match to a relative 1e-9 (grid values are computed, e.g. ``2e-5`` m); a
    value that matches no row is an InputError listing the values present.
    """
    import numpy as np

    _check_column(df, "status", "status")
    out = df[df["status"] == "ok"]
    for col, val in (at or {}).items():
        _check_column(df, col, "at")
        present = sorted(out[col].dropna().unique().tolist())
        if isinstance(val, str):
            mask = out[col] == val
        else:
            mask = np.isclose(out[col].astype(float), float(val), rtol=1e-9, atol=0.0)
        if not mask.any():
            raise InputError(f"at.{col}", val, "one of the values present: " + ", ".join(map(str, present[:20])))
        out = out[mask]
    return out


def ranking(df, by: str, *, at: Mapping[str, Any] | None = None, ascending: bool | None = None,
            top: int | None = None, columns: Sequence[str] | None = None):
    """A ranking table: the ok points (optionally those ``at`` given axis values) sorted by ``by``.

    Example: LICs by total resistance with 20 um UVEA at 22 degC::

        ranking(df, "total_resistance_ohm", at={"uvea_thickness_m": 20e-6, "temperature_K": 295.15})

    ``ascending`` defaults to True except for columns where more is better
    (:data:`HIGHER_IS_BETTER`: CCD, limiting current, conductivity, ...). Missing values
    come last, except for CCD where an empty value means no short within the protocol:
    it counts as above every measured CCD (:data:`NONE_IS_INFINITE`). A ``rank`` column
    (1 = best) is added.
    """
    _check_column(df, by, "by")
    if ascending is None:
        ascending = by not in HIGHER_IS_BETTER
    sel = select(df, at)
    key = (lambda col: col.astype(float).fillna(math.inf)) if by in NONE_IS_INFINITE else None
    tab = sel.sort_values(by, ascending=ascending, na_position="last", kind="mergesort", key=key)
    if columns is None:
        axes = [a["column"] for a in df.attrs.get("spec", {}).get("axes", [])]
        columns = [c for c in axes if c in tab.columns and c not in (at or {})] + [by]
        for extra in ("total_resistance_ohm", "bulk_resistance_ohm", "limiting_current_density_A_m2",
                      "material_cost_USD_m2", "ccd_A_m2", "survived_A_m2", "short_kind"):
            if extra in tab.columns and extra not in columns:
                columns.append(extra)
    tab = tab[list(columns)].copy()
    tab.insert(0, "rank", range(1, len(tab) + 1))
    if top is not None:
        tab = tab.head(top)
    return tab.reset_index(drop=True)


def pivot(df, x: str, y: str, value: str, at: Mapping[str, Any] | None = None):
    """``value`` on the grid of axes ``x`` (columns) and ``y`` (rows); one point per cell."""
    for c, w in ((x, "x"), (y, "y"), (value, "value")):
        _check_column(df, c, w)
    sel = select(df, at)
    dup = sel.duplicated([x, y])
    if dup.any():
        others = [a["column"] for a in df.attrs.get("spec", {}).get("axes", []) if a["column"] not in (x, y)]
        raise InputError("at", dict(at or {}), f"a value for each other axis ({', '.join(others) or 'none'}) so "
                         f"that each ({x}, {y}) cell holds one point")
    return sel.pivot(index=y, columns=x, values=value)


def heatmap(df, x: str, y: str, value: str, path=None, *, at: Mapping[str, Any] | None = None,
            log: bool | None = None, title: str | None = None):
    """Heat map of ``value`` over two axes, in lab units (log colour scale for wide ranges).

    Returns the matplotlib Figure (saved atomically to ``path`` when given).
    """
    import numpy as np

    from ..plotting import _pyplot, save_figure

    grid = pivot(df, x, y, value, at)
    plt = _pyplot()
    from matplotlib.colors import LogNorm

    _, fx = lab_unit(x)
    _, fy = lab_unit(y)
    _, fv = lab_unit(value)
    z = grid.to_numpy(dtype=float) * fv
    finite = z[np.isfinite(z)]
    if log is None:
        log = finite.size > 0 and finite.min() > 0 and finite.max() / finite.min() > 100
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    xs, ys = grid.columns, grid.index
    xnum = all(isinstance(v, (int, float)) for v in xs)
    ynum = all(isinstance(v, (int, float)) for v in ys)
    xv = np.asarray(xs, dtype=float) * fx if xnum else np.arange(len(xs))
    yv = np.asarray(ys, dtype=float) * fy if ynum else np.arange(len(ys))
    norm = LogNorm(vmin=finite.min(), vmax=finite.max()) if log and finite.size else None
    m = ax.pcolormesh(xv, yv, np.ma.masked_invalid(z), shading="nearest", norm=norm, cmap="viridis")
    if not xnum:
        ax.set_xticks(xv, [str(v) for v in xs], rotation=45, ha="right")
    elif _wide(xv):
        ax.set_xscale("log")
    if not ynum:
        ax.set_yticks(yv, [str(v) for v in ys])
    elif _wide(yv):
        ax.set_yscale("log")
    ax.set_xlabel(unit_label(x))
    ax.set_ylabel(unit_label(y))
    fig.colorbar(m, ax=ax, label=unit_label(value))
    if title:
        ax.set_title(title)
    if path is not None:
        save_figure(fig, path)
    return fig


def _wide(v) -> bool:
    import numpy as np

    v = np.asarray(v, dtype=float)
    return v.size > 2 and v.min() > 0 and v.max() / v.min() > 20


def default_objectives(df) -> dict[str, str]:
    """Resistance vs cost, plus CCD when the results have it."""
    obj = {}
    for c in ("total_resistance_ohm", "bulk_resistance_ohm"):
        if c in df.columns:
            obj[c] = "min"
            break
    if "material_cost_USD_m2" in df.columns:
        obj["material_cost_USD_m2"] = "min"
    if "ccd_A_m2" in df.columns:
        obj["ccd_A_m2"] = "max"
    if len(obj) < 2:
        raise InputError("objectives", list(obj), "two or more objective columns (the results have "
                         + ", ".join(df.columns) + ")")
    return obj


def pareto_mask(values, senses: Sequence[str]):
    """Boolean mask of the non-dominated rows of ``values`` (n x k), ``senses`` "min"/"max" per column.

    A row is dominated when another is at least as good in every objective and better in
    one. Rows with NaN are never on the front; +inf counts as worst for "min".
    """
    import numpy as np

    v = np.asarray(values, dtype=float).copy()
    for j, s in enumerate(senses):
        if s == "max":
            v[:, j] = -v[:, j]
        elif s != "min":
            raise InputError("objectives", s, "min or max")
    ok = ~np.isnan(v).any(axis=1)
    mask = np.zeros(len(v), dtype=bool)
    idx = np.flatnonzero(ok)
    w = v[idx]
    keep = np.ones(len(w), dtype=bool)
    for start in range(0, len(w), 512):
        blk = w[start:start + 512]
        le = (w[None, :, :] <= blk[:, None, :]).all(axis=2)
        lt = (w[None, :, :] < blk[:, None, :]).any(axis=2)
        keep[start:start + len(blk)] = ~(le & lt).any(axis=1)
    mask[idx[keep]] = True
    return mask


def pareto_front(df, objectives: Mapping[str, str] | Sequence[str] | None = None, *,
                 at: Mapping[str, Any] | None = None):
    """The non-dominated ok points for ``objectives`` (column -> "min"/"max"), sorted by the first.

    Default: total resistance and material cost (both minimised), and CCD (maximised) when
    the results have it. A list of columns takes the sense from :data:`HIGHER_IS_BETTER`.
    """
    if objectives is None:
        objectives = default_objectives(df)
    if not isinstance(objectives, Mapping):
        objectives = {c: ("max" if c in HIGHER_IS_BETTER else "min") for c in objectives}
    for c in objectives:
        _check_column(df, c, "objectives")
    sel = select(df, at)
    vals = sel[list(objectives)].astype(float)
    for c in objectives:
        if c in NONE_IS_INFINITE:
            vals[c] = vals[c].fillna(math.inf)  # no short within the protocol: beyond every CCD
    mask = pareto_mask(vals.to_numpy(dtype=float), list(objectives.values()))
    first = next(iter(objectives))
    return sel[mask].sort_values(first, ascending=objectives[first] == "min", kind="mergesort").reset_index(drop=True)


def plot_pareto(df, x: str, y: str, path=None, *, color: str | None = None,
                objectives: Mapping[str, str] | None = None, label: str | None = None, title: str | None = None):
    """Scatter of all ok points over ``x``, ``y`` with the Pareto front highlighted (lab units).

    The front is computed over ``objectives`` (default: ``x`` and ``y`` minimised unless in
    :data:`HIGHER_IS_BETTER`, plus ``color`` when given). ``label`` names a text column
    (e.g. the LIC) to annotate the front points with.
    """
    import numpy as np

    from ..plotting import _pyplot, save_figure

    cols = [x, y] + ([color] if color else [])
    if objectives is None:
        objectives = {c: ("max" if c in HIGHER_IS_BETTER else "min") for c in cols}
    front = pareto_front(df, objectives)
    sel = select(df)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    _, fx = lab_unit(x)
    _, fy = lab_unit(y)
    xs = sel[x].to_numpy(dtype=float) * fx
    ys = sel[y].to_numpy(dtype=float) * fy
    if color:
        _, fc = lab_unit(color)
        sc = ax.scatter(xs, ys, c=sel[color].to_numpy(dtype=float) * fc, s=12, alpha=0.5, cmap="viridis")
        fig.colorbar(sc, ax=ax, label=unit_label(color))
    else:
        ax.scatter(xs, ys, s=12, alpha=0.35, color="0.5", label="all points")
    fxs = front[x].to_numpy(dtype=float) * fx
    fys = front[y].to_numpy(dtype=float) * fy
    order = np.argsort(fxs)
    ax.plot(fxs[order], fys[order], "o-", color="C3", mfc="none", label="Pareto front")
    if label and label in front.columns:
        for xi, yi, t in zip(fxs, fys, front[label]):
            ax.annotate(str(t), (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=8)
    for v, setter in ((xs, ax.set_xscale), (ys, ax.set_yscale)):
        fin = v[np.isfinite(v)]
        if fin.size and fin.min() > 0 and fin.max() / fin.min() > 100:
            setter("log")
    ax.set_xlabel(unit_label(x))
    ax.set_ylabel(unit_label(y))
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    if path is not None:
        save_figure(fig, path)
    return fig
