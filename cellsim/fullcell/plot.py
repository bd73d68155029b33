"""Voltage-capacity plots of full-cell results (matplotlib imported inside the function)."""

from __future__ import annotations

from typing import Sequence

from ..errors import InputError


def voltage_capacity_plot(results, path=None, *, labels: Sequence[str] | None = None, title: str | None = None,
                          ax=None):
    """Cell voltage [V] against specific capacity [mAh/g of NMC811] for one or several results.

    Charge is dashed, discharge solid, one colour per result. Saved atomically to ``path``
    (``.png``, ``.svg``, ``.pdf``) when given.

    Parameters
    ----------
    results : FullCellResult or sequence of them
    path : str or Path, optional
    labels : sequence of str, optional
        Legend entries (default: model name and discharge capacity).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plotting import _pyplot, save_figure
    from .cycling import FullCellResult

    if isinstance(results, FullCellResult):
        results = [results]
    results = list(results)
    if not results or not all(isinstance(r, FullCellResult) for r in results):
        raise InputError("results", type(results).__name__, "one or more FullCellResult")
    if labels is not None and len(labels) != len(results):
        raise InputError("labels", len(labels), f"{len(results)} labels, one per result")
    plt = _pyplot()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6.0, 4.2))
    ax = ax if ax is not None else fig.add_subplot(111)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, r in enumerate(results):
        c = colours[i % len(colours)]
        label = labels[i] if labels is not None else (
            f"{r.design.name}: {r.discharge_capacity_mAh_g:.0f} mAh/g, {r.mean_discharge_voltage_V:.3f} V")
        for s in r.steps:
            ax.plot(s.capacity_mAh_g, s.voltage_V, color=c, ls="--" if s.name == "charge" else "-",
                    label=label if s.name == "discharge" else None)
    ax.set_xlabel("Specific capacity [mAh/g NMC811]")
    ax.set_ylabel("Cell voltage [V]")
    ax.set_title(title or f"First cycle at {results[0].c_rate:g} C (dashed: charge, solid: discharge)", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    if path is not None:
        save_figure(fig, path)
    return fig


def retention_plot(results, path=None, *, labels: Sequence[str] | None = None, title: str | None = None, ax=None):
    """Capacity retention [%] against cycle number; the seed's 87 % after 350 cycles marked for its cell.

    Parameters
    ----------
    results : RetentionResult or sequence of them
        From :func:`cellsim.fullcell.retention.simulate_cycles`.
    path : str or Path, optional
        Saved atomically (``.png``, ``.svg``, ``.pdf``) when given.
    labels : sequence of str, optional
        Legend entries (default: model and final retention).
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np

    from ..plotting import _pyplot, save_figure
    from .retention import SEED_RETENTION, RetentionResult

    results = [results] if isinstance(results, RetentionResult) else list(results)
    if not results or not all(isinstance(r, RetentionResult) for r in results):
        raise InputError("results", type(results).__name__, "one or more RetentionResult")
    if labels is not None and len(labels) != len(results):
        raise InputError("labels", len(labels), f"{len(results)} labels, one per result")
    plt = _pyplot()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6.0, 4.2))
    ax = ax if ax is not None else fig.add_subplot(111)
    for i, r in enumerate(results):
        label = labels[i] if labels is not None else (
            f"simulated ({r.model}): {100 * r.retention_final:.1f} % after {r.cycles} cycles")
        ax.plot(np.arange(1, r.cycles + 1), 100 * r.retention, "-", lw=1.5, label=label)
    seed = SEED_RETENTION
    if any(r.seed_cell for r in results):
        ax.plot([seed["cycles"]], [100 * seed["retention"]], "o", color="k", ms=6,
                label=f"seed: {100 * seed['retention']:.0f} % after {seed['cycles']} cycles (0.2 C)")
    low = min(100 * float(r.retention.min()) for r in results)
    ax.set_xlabel("Cycle number [-]")
    ax.set_ylabel("Capacity retention Q_dis(n) / Q_dis(1) [%]")
    ax.set_ylim(min(80.0, low - 2), 101)
    ax.set_title(title or f"Capacity retention at {results[0].c_rate:g} C", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    if path is not None:
        save_figure(fig, path)
    return fig
