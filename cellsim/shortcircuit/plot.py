"""Figures of a simulated (or measured) step-up test: voltage, current density, fronts."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_ccd"]


def plot_ccd(result, path=None, *, measured=None, title: str | None = None):
    """Voltage and current density against time, and the depth each front has reached
    in each layer (dendrite length, interphase thickness).

    Parameters
    ----------
    result : CCDResult
    path : str or Path, optional
        Save there (atomically; PNG/SVG by extension).
    measured : Trace, optional
        A measured trace overlaid on the voltage panel (its own time axis).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plotting import _pyplot, save_figure

    plt = _pyplot()
    fig, (ax_v, ax_f) = plt.subplots(2, 1, figsize=(8, 5.6), sharex=True, layout="constrained")
    th = result.time / 3600.0
    ax_v.plot(th, result.voltage, lw=0.8, color="#1f4e9c", label="simulated voltage")
    if measured is not None:
        ax_v.plot(measured.time / 3600.0, measured.voltage, lw=0.6, color="0.45", label="measured voltage")
    ax_v.set_ylabel("cell voltage [V]")
    ax_v.set_xlabel("time [h]")
    ax_v.xaxis.label.set_visible(False)  # the time axis is shared with (and labelled on) the panel below
    ax_j = ax_v.twinx()
    ax_j.plot(th, result.current_density / 10.0, lw=0.6, color="#c05020", alpha=0.6, label="current density")
    ax_j.set_ylabel("current density [mA/cm2]")
    ax_j.set_xlabel("time [h]")  # shared with the voltage axis (not drawn twice)
    if result.short_time is not None:
        for ax in (ax_v, ax_f):
            ax.axvline(result.short_time / 3600.0, color="k", ls="--", lw=0.8)
        ax_v.annotate(f"{result.kind} at {result.ccd / 10:g} mA/cm2", (result.short_time / 3600.0, 1.0),
                      xycoords=("data", "axes fraction"), ha="right", va="top", fontsize=8,
                      textcoords="offset points", xytext=(-3, -3))
    h_v, l_v = ax_v.get_legend_handles_labels()
    h_j, l_j = ax_j.get_legend_handles_labels()
    ax_v.legend(h_v + h_j, l_v + l_j, loc="upper left", fontsize=7)   # one legend for both axes
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, name in enumerate(result.layer_names):
        c = colors[i % len(colors)]
        left = result.front_left[:, i] * 1e6
        right = result.front_right[:, i] * 1e6
        if np.any(left > 0):
            ax_f.plot(th, left, color=c, lw=1.0, label=f"{name}, from left Li")
        if np.any(right > 0):
            ax_f.plot(th, right, color=c, lw=1.0, ls="--", label=f"{name}, from right Li")
    ax_f.set_xlabel("time [h]")
    ax_f.set_ylabel("front depth in layer [um]")
    if ax_f.lines:
        ax_f.legend(fontsize=7, ncol=2)
    if title:
        fig.suptitle(title, fontsize=9)
    if path is not None:
        save_figure(fig, path)
    return fig
