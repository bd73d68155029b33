"""Writing a :class:`Solution`: CSV table and voltage/current plot (both atomic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import existing_directory


def write_solution_csv(path, sol) -> None:
    """Write ``time_s,voltage_V,current_density_A_m2`` and the voltage parts (``_V``) atomically,
    with the mode the process umask gives new files (:func:`cellsim.files.atomic_write_text`)."""
    from ..files import atomic_write_text

    existing_directory(path, "--out")
    names = list(sol.voltage_parts)
    header = ["time_s", "voltage_V", "current_density_A_m2", "step"] + [
        n.replace(" ", "_").replace("|", "_") + "_V" for n in names]
    cols = [sol.time, sol.voltage, sol.current_density, sol.step] + [sol.voltage_parts[n] for n in names]
    lines = [",".join(header)]
    lines += [",".join(str(int(v)) if k == 3 else f"{v:.12g}" for k, v in enumerate(row)) for row in zip(*cols)]
    atomic_write_text(path, "\n".join(lines) + "\n")


def plot_solution(path, sol, title: str | None = None) -> None:
    """Voltage [mV] and current density [mA/cm2] against time [h], saved atomically."""
    from ..plotting import _pyplot, save_figure

    p = Path(path)
    existing_directory(p, "--plot")
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(7, 5))
    t_h = np.asarray(sol.time) / 3600.0
    ax1.plot(t_h, sol.voltage * 1e3, lw=1.2)
    ax1.set_ylabel("voltage [mV]")
    ax2.plot(t_h, sol.current_density * 0.1, lw=1.2, color="C1")
    ax2.set_ylabel("current density [mA/cm2]")
    ax2.set_xlabel("time [h]")
    for e in sol.events:
        if e.kind == "salt_depletion":
            ax1.axvline(e.time_s / 3600.0, color="C3", ls="--", lw=0.8)
    if title:
        ax1.set_title(title)
    try:
        save_figure(fig, p)
    finally:
        plt.close(fig)
