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


def retention_plot(result, path=None, *, title: str | None = None, ax=None):
    """Capacity retention [%] against cycle number, with the seed's 87 % after 350 cycles marked.

    Parameters
    ----------
    result : RetentionResult
        From :func:`cellsim.fullcell.retention.simulate_cycles`.
    path : str or Path, optional
        Saved atomically (``.png``, ``.svg``, ``.pdf``) when given.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import numpy as np

    from ..plotting import _pyplot, save_figure
    from .retention import SEED_RETENTION, RetentionResult

    if not isinstance(result, RetentionResult):
        raise InputError("result", type(result).__name__, "a RetentionResult")
    plt = _pyplot()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6.0, 4.2))
    ax = ax if ax is not None else fig.add_subplot(111)
    n = np.arange(1, result.cycles + 1)
    ax.plot(n, 100 * result.retention, "-", lw=1.5, label=f"simulated ({result.model}): "
                                                         f"{100 * result.retention_final:.1f} % after {result.cycles}")
    seed = SEED_RETENTION
    ax.plot([seed["cycles"]], [100 * seed["retention"]], "o", color="k", ms=6,
            label=f"seed: {100 * seed['retention']:.0f} % after {seed['cycles']} cycles (0.2 C)")
    ax.set_xlabel("Cycle number")
    ax.set_ylabel("Capacity retention Q_dis(n) / Q_dis(1) [%]")
    ax.set_ylim(min(80.0, 100 * float(result.retention.min()) - 2), 101)
    ax.set_title(title or f"Capacity retention at {result.c_rate:g} C", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    if path is not None:
        save_figure(fig, path)
    return fig
