"""Impedance plots (Nyquist and Bode, one or several spectra overlaid) and the Arrhenius plot, saved atomically.

matplotlib is imported inside the functions (Agg backend), so importing this module is
cheap. A *spectrum* may be given as

* an object with ``frequency`` [Hz] and ``z`` [ohm] attributes (e.g.
  :class:`cellsim.data.Spectrum`; its ``source`` or ``label`` names it),
* a tuple ``(frequency, z)`` or ``(frequency, z, label)``,
* a dict with keys ``frequency``, ``z`` and optionally ``label`` and ``style``
  (``"line"`` for predictions, ``"points"`` for measurements).

Conventions: Nyquist plots show -Z'' upwards with equal axis scales, and mark the points at
each decade of frequency (1 Hz, 10 Hz, ...) with their labels; Bode plots show |Z| and the
phase of Z against frequency on a log axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError
from .files import atomic_path, existing_directory

__all__ = ["nyquist", "bode", "save_figure", "format_frequency"]


@dataclass
class _Trace:
    f: np.ndarray
    z: np.ndarray
    label: str
    style: str


def _is_single(s) -> bool:
    if isinstance(s, dict) or (hasattr(s, "z") and hasattr(s, "frequency")):
        return True
    return (isinstance(s, tuple) and len(s) in (2, 3) and not isinstance(s[0], (tuple, dict))
            and not hasattr(s[0], "z") and np.ndim(s[0]) >= 1)


def _traces(spectra) -> list[_Trace]:
    if _is_single(spectra):
        spectra = [spectra]
    out = []
    for i, s in enumerate(spectra):
        style = None
        if isinstance(s, dict):
            f, z, label, style = s.get("frequency"), s.get("z"), s.get("label"), s.get("style")
        elif isinstance(s, tuple):
            if len(s) not in (2, 3):
                raise InputError(f"spectra[{i}]", f"tuple of length {len(s)}", "(frequency, z) or (frequency, z, label)")
            f, z = s[0], s[1]
            label = s[2] if len(s) == 3 else None
        elif hasattr(s, "z") and hasattr(s, "frequency"):
            f, z = s.frequency, s.z
            label = getattr(s, "label", None) or (Path(str(s.source)).name if getattr(s, "source", "") else None)
            style = "points"
        else:
            raise InputError(f"spectra[{i}]", type(s).__name__, "a Spectrum, (frequency, z[, label]) or a dict")
        f = np.asarray(f, dtype=float).ravel()
        z = np.asarray(z, dtype=complex).ravel()
        if f.shape != z.shape or f.size == 0:
            raise InputError(f"spectra[{i}]", f"{f.size} frequencies and {z.size} impedances",
                             "as many frequencies as impedances (at least one)")
        if not np.all(np.isfinite(f) & (f > 0)):
            raise InputError(f"spectra[{i}].frequency", float(f[~(np.isfinite(f) & (f > 0))][0]), "finite values > 0 Hz")
        out.append(_Trace(f, z, label or f"spectrum {i + 1}", style or "line"))
    if not out:
        raise InputError("spectra", "[]", "at least one spectrum")
    return out


def format_frequency(f: float) -> str:
    """``1000 -> "1 kHz"``, ``0.01 -> "10 mHz"``."""
    for scale, unit in ((1e9, "GHz"), (1e6, "MHz"), (1e3, "kHz"), (1.0, "Hz"), (1e-3, "mHz"), (1e-6, "uHz")):
        if f >= scale * 0.9999:
            return f"{f / scale:g} {unit}"
    return f"{f:g} Hz"


def _decade_points(f: np.ndarray, z: np.ndarray):
    """(f_decade, z at f_decade) for each decade inside the range, interpolated in log f."""
    lo, hi = math.ceil(math.log10(f.min()) - 1e-9), math.floor(math.log10(f.max()) + 1e-9)
    order = np.argsort(f)
    lf = np.log10(f[order])
    zr, zi = z.real[order], z.imag[order]
    pts = []
    for d in range(lo, hi + 1):
        x = float(d)
        pts.append((10.0 ** d, complex(np.interp(x, lf, zr), np.interp(x, lf, zi))))
    return pts


def _finish(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig, path) -> Path:
    """Save a figure atomically (temporary file in the same directory, then rename).

    The format follows the suffix of ``path`` (``.png``, ``.svg``, ``.pdf``).
    """
    path = Path(path)
    existing_directory(path, "--plot")
    suffix = path.suffix or ".png"
    with atomic_path(path, suffix=suffix) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format=suffix.lstrip("."))
    return path


def _pyplot():
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def nyquist(spectra, path=None, *, title: str | None = None, decade_markers: bool = True, ax=None):
    """Nyquist plot: -Z'' [ohm] against Z' [ohm], equal axes, decade markers labelled.

    Parameters
    ----------
    spectra : spectrum or list of spectra
        See the module docstring.
    path : str or Path, optional
        Save the figure there (atomically).
    title : str, optional
    decade_markers : bool
        Mark and label the point at each decade of frequency.
    ax : matplotlib Axes, optional
        Draw into an existing axes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    traces = _traces(spectra)
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.2))
    else:
        fig = ax.figure
    for i, t in enumerate(traces):
        color = f"C{i % 10}"
        if t.style == "points":
            ax.plot(t.z.real, -t.z.imag, "o", ms=3.5, color=color, label=t.label, mfc="none")
        else:
            ax.plot(t.z.real, -t.z.imag, "-", lw=1.6, color=color, label=t.label)
        if decade_markers:
            # label a decade only if it is not crowded onto the previously labelled one
            span = max(np.ptp(t.z.real), np.ptp(t.z.imag), 1e-300)
            last = None
            for fd, zd in _decade_points(t.f, t.z):
                ax.plot([zd.real], [-zd.imag], marker="D", ms=4.5, color=color, mec="k", mew=0.5, ls="none")
                if last is not None and abs(zd - last) < 0.04 * span:
                    continue
                ax.annotate(format_frequency(fd), (zd.real, -zd.imag), textcoords="offset points", xytext=(4, 4),
                            fontsize=7, color=color)
                last = zd
    ax.set_xlabel("Z' [ohm]")
    ax.set_ylabel("-Z'' [ohm]")
    ax.set_aspect("equal", adjustable="datalim")
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    if len(traces) > 1 or traces[0].label:
        ax.legend(fontsize=8)
    return _finish(fig, path)


def bode(spectra, path=None, *, title: str | None = None):
    """Bode plot: |Z| [ohm] (log) and phase of Z [deg] against frequency [Hz] (log).

    The phase is ``angle(Z)`` in degrees (negative for capacitive behaviour).

    Returns
    -------
    matplotlib.figure.Figure
    """
    traces = _traces(spectra)
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 6.0))
    for i, t in enumerate(traces):
        color = f"C{i % 10}"
        fmt = "o" if t.style == "points" else "-"
        kw = dict(ms=3.5, mfc="none") if t.style == "points" else dict(lw=1.6)
        ax1.loglog(t.f, np.abs(t.z), fmt, color=color, label=t.label, **kw)
        ax2.semilogx(t.f, np.degrees(np.angle(t.z)), fmt, color=color, label=t.label, **kw)
    ax1.set_ylabel("|Z| [ohm]")
    ax2.set_ylabel("phase of Z [deg]")
    ax2.set_xlabel("frequency [Hz]")
    for a in (ax1, ax2):
        a.grid(True, which="both", alpha=0.3)
    if title:
        ax1.set_title(title)
    ax1.legend(fontsize=8)
    return _finish(fig, path)


def arrhenius_plot(table, fit, path) -> None:
    """log10(sigma [S/cm]) against 1000/T [1/K], data with error bars and the fitted law (Fig. S7 style).

    Parameters
    ----------
    table : cellsim.data.conductivity_table.ConductivityTable
        The measured conductivities [S/m] against T [K] (with uncertainties when given).
    fit : cellsim.temperature.TemperatureFit
        The Arrhenius or VTF fit; its law and parameters with standard errors are the legend.
    path : str or Path
        ``.png``, ``.pdf`` or ``.svg`` in an existing folder; written atomically.
    """
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower() or "png"
    if fmt not in ("png", "pdf", "svg"):
        raise InputError("--plot", path, "a file name ending in .png, .pdf or .svg")
    if not target.parent.is_dir():
        raise InputError("--plot", path, "a file in an existing directory")
    plt = _pyplot()
    T = table.temperature
    s_cm = table.sigma / 100.0
    fig, ax = plt.subplots(figsize=(5.0, 4.0), constrained_layout=True)
    x = 1000.0 / T
    if table.sigma_err is not None:
        lo = np.log10(s_cm) - np.log10(np.maximum(table.sigma - table.sigma_err, 1e-300) / 100.0)
        hi = np.log10((table.sigma + table.sigma_err) / 100.0) - np.log10(s_cm)
        ax.errorbar(x, np.log10(s_cm), yerr=[lo, hi], fmt="o", ms=5, capsize=3, label="data")
    else:
        ax.plot(x, np.log10(s_cm), "o", ms=5, label="data")
    tt = np.linspace(T.min(), T.max(), 200)
    pred = np.asarray(fit.predict(tt)) / 100.0
    d = fit.to_dict()
    if fit.law == "arrhenius":
        label = f"Arrhenius, Ea = {d['activation_energy_eV']:.3f} ± {d['activation_energy_stderr_eV']:.3f} eV"
    else:
        label = f"VTF, B = {d['B_K']:.0f} ± {d['B_stderr_K']:.0f} K, T0 = {d['T0_K']:.0f} ± {d['T0_stderr_K']:.0f} K"
    ax.plot(1000.0 / tt, np.log10(pred), "-", label=label)
    ax.set_xlabel("1000/T [1/K]")
    ax.set_ylabel("log10(σ [S/cm])")
    top = ax.secondary_xaxis("top", functions=(lambda v: 1000.0 / np.maximum(v, 1e-9) - 273.15,
                                               lambda c: 1000.0 / (c + 273.15)))
    top.set_xlabel("T [°C]")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    try:
        with atomic_path(target, suffix="." + fmt, prefix=".arrhenius-") as tmp:
            fig.savefig(tmp, format=fmt, dpi=150)
    finally:
        plt.close(fig)
