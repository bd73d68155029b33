"""Writing a :class:`Solution`: CSV table and voltage/current plot (both atomic)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..errors import InputError


def _directory(path: Path, flag: str) -> Path:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(flag, str(path), f"a file in an existing directory ({directory} does not exist)")
    return directory


def write_solution_csv(path, sol) -> None:
    """Write ``time_s,voltage_V,current_density_A_m2`` and the voltage parts (``_V``) atomically."""
    p = Path(path)
    directory = _directory(p, "--out")
    names = list(sol.voltage_parts)
    header = ["time_s", "voltage_V", "current_density_A_m2", "step"] + [
        n.replace(" ", "_").replace("|", "_") + "_V" for n in names]
    cols = [sol.time, sol.voltage, sol.current_density, sol.step] + [sol.voltage_parts[n] for n in names]
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            fh.write(",".join(header) + "\n")
            for row in zip(*cols):
                fh.write(",".join(str(int(v)) if k == 3 else f"{v:.12g}" for k, v in enumerate(row)) + "\n")
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def plot_solution(path, sol, title: str | None = None) -> None:
    """Voltage [mV] and current density [mA/cm2] against time [h], saved atomically."""
    from ..plotting import _pyplot, save_figure

    p = Path(path)
    _directory(p, "--plot")
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
