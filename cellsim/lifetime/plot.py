"""Figs. S14/S16-style plot of a long symmetric cycling run: voltage against time, and the slow
state (SEI + dead-Li resistance, deposit fronts) below it."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_cycle"]


def plot_cycle(result, path=None, *, title: str | None = None):
    """Cell voltage against time (the envelope of every recorded cycle, the simulated cycles'
    samples) with the failure marked, and the slow ASR and deposit fronts against time.

    Parameters
    ----------
    result : CycleResult
    path : str or Path, optional
        Save there (atomically; PNG/SVG by extension).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plotting import _pyplot, save_figure

    plt = _pyplot()
    fig, (ax_v, ax_s) = plt.subplots(2, 1, figsize=(8, 5.6), sharex=True, layout="constrained",
                                     gridspec_kw={"height_ratios": [2, 1]})
    th = result.time / 3600.0
    ax_v.fill_between(th, result.v_min, result.v_max, color="#9bb7e0", lw=0, label="voltage range of each cycle")
    if result.trace_time.size:
        ax_v.plot(result.trace_time / 3600.0, result.trace_voltage, lw=0.5, color="#1f4e9c",
                  label="simulated cycles")
    for lim in (result.voltage_limit, -result.voltage_limit):
        ax_v.axhline(lim, color="0.5", ls=":", lw=0.8)
    if result.lifetime is not None:
        ax_v.axvline(result.lifetime / 3600.0, color="#c03030", lw=1.0, label=f"failure: {result.failure}")
    ax_v.set_ylabel("cell voltage [V]")
    ax_v.set_xlabel("time [h]")
    ax_v.xaxis.label.set_visible(False)  # shared with (and labelled on) the panel below
    ax_v.legend(loc="upper left", fontsize=7)
    ax_v.set_title(title or f"{result.current / 10:g} mA/cm2, {result.step_time / 3600:g} h per half cycle")
    ax_s.plot(th, result.slow_asr * 1e4, color="#c05020", label="SEI + dead-Li ASR, both electrodes")
    ax_s.set_ylabel("slow ASR [ohm cm2]")
    ax_s.set_xlabel("time [h]")
    ax_f = ax_s.twinx()
    ax_f.plot(th, np.asarray(result.front_left) * 1e6, color="#2a8a4a", ls="--", label="left deposit front")
    ax_f.plot(th, np.asarray(result.front_right) * 1e6, color="#6a3d9a", ls=":", label="right deposit front")
    ax_f.set_ylabel("front depth [um]")
    ax_f.set_xlabel("time [h]")  # shared with the ASR axis (not drawn twice)
    lines = ax_s.get_lines() + ax_f.get_lines()
    ax_s.legend(lines, [l.get_label() for l in lines], loc="upper left", fontsize=7)
    if path is not None:
        save_figure(fig, path)
    return fig
