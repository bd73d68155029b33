"""Demo sections: full cells (Figs. S23-S24) and validation on real measured spectra."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .section import Section
from .section import pyplot as _plt




def full_cells() -> Section:
    """Figs. S23-S24: first-cycle profiles of the Li | sandwich | NMC811 full cells (PyBaMM)."""
    from ..fullcell import FullCellDesign, simulate
    from ..fullcell.plot import voltage_capacity_plot
    from ..models import load_model

    sec = Section("fullcell", "Figs. S23-S24: Li | sandwich | NMC811 full cells, first cycle at 0.2 C",
                  "PyBaMM's lithium-metal half-cell DFN with Chen2020's NMC811 electrode matched to the seed's "
                  "cathode (7.4 mg/cm2, 90 wt% active, 210 mAh/g), the sandwich's polymer layers as the separator "
                  "and the middle layer and its interfaces as a series resistance; 0.2 C (1 C = 210 mA/g) between "
                  "the seed's voltage limits.")
    sec.inputs.append("Inputs from the seed: loading, active fraction, 210 mAh/g, voltage windows, 22 degC, no "
                      "catholyte (the polymer fills the cathode pores). ESTIMATES: Li|polymer and polymer|ceramic "
                      "interface resistances. Model files: models/li-uvea-lvo-uvea-nmc811.toml, "
                      "models/li-uvea-latp-uvea-nmc811.toml.")
    rows, results, labels = [], [], []
    for name, fig in (("li-uvea-lvo-uvea-nmc811", "Fig. S23"), ("li-uvea-latp-uvea-nmc811", "Fig. S24")):
        st = load_model(name)
        d = FullCellDesign.from_stack(st)
        r = simulate(d, 0.2)
        results.append(r)
        labels.append(f"{st.title} ({fig})")
        rows.append([f"{st.title} ({fig})", f"{d.vmin:g}-{d.vmax:g}", r.charge_capacity_mAh_g,
                     r.discharge_capacity_mAh_g, r.mean_discharge_voltage_V, r.series_resistance_ohm])
        sec.summary.append([f"1st discharge {st.title} ({fig}) [mAh/g]", "210 (theoretical)",
                            round(r.discharge_capacity_mAh_g, 1), "prediction (PyBaMM DFN)"])
    sec.tables.append(("First cycle at 0.2 C", ["cell", "window [V]", "charge [mAh/g]", "discharge [mAh/g]",
                                                 "mean discharge voltage [V]", "series R of the sandwich [ohm]"], rows))
    sec.notes.append("The seed reports capacity retention (87 % after 350 cycles) but no first-cycle capacity; the "
                     "capacities here are predictions. The 4.2 V cell loses more capacity to the sandwich's "
                     "polarization because the NMC811 open-circuit curve is flat near 4.2 V. Cycling fade: see the "
                     "Table S3 (retention) section.")
    from ..fullcell.cycling import LITHIATION_LIMIT

    ended = [lab for lab, r in zip(labels, results) if LITHIATION_LIMIT in r.step("discharge").termination]
    if ended:
        sec.notes.append(f"Discharge end of {', '.join(ended)}: the cathode is back at its pristine lithiation "
                         f"(x = {results[0].matched['x_pristine']:g}) before the lower voltage limit; Chen2020's OCP "
                         "stays above 3.49 V up to x = 1, and no Li beyond the pristine state is inserted, so the "
                         "first-cycle Coulombic efficiency is at most 100 % (no side reactions are modelled).")
    fig = voltage_capacity_plot(results, labels=labels)
    sec.figures.append(("profiles", fig, "Figs. S23-S24: simulated first-cycle voltage profiles at 0.2 C."))
    return sec


def _shared_eis() -> Path | None:
    """``../shared/data/eis`` next to the working directory or the source tree, if present."""
    cands = []
    if os.environ.get("CELLSIM_SHARED_DATA"):
        cands.append(Path(os.environ["CELLSIM_SHARED_DATA"]))
    cands += [Path.cwd() / ".." / "shared" / "data" / "eis", Path.cwd() / "shared" / "data" / "eis",
              Path(__file__).resolve().parents[3] / "shared" / "data" / "eis"]
    for c in cands:
        if c.is_dir():
            return c.resolve()
    return None


#: file -> (circuit, what it is)
REAL_FILES = {
    "li-tegdme-li_geis_prerun.mpr": ("R0-p(R1,CPE1)-p(R2,CPE2)", "Li | 1 M LiTFSI TEGDME | Li, before cycling"),
    "gamry_example.DTA": ("p(R1,CPE1)-p(R2,CPE2)", "Gamry Reference 3000 example"),
    "commercial-li-ion_drt-benchmark.txt": ("L0-R0-p(R1,CPE1)-p(R2,CPE2)-CPE3", "commercial Li-ion cell"),
}


def real_spectra() -> Section:
    """Validation on real measured spectra (../shared/data/eis): fits with automatic guesses and lin-KK."""
    from ..data import read_spectrum
    from ..fitting import fit, lin_kk
    from ..plotting import nyquist

    sec = Section("real_eis", "Validation on real measured spectra",
                  "Measured spectra from public repositories (../shared/data/eis, licenses there) are read from "
                  "their instrument files, tested with lin-KK and fitted with cellsim's automatic initial guess "
                  "(no guess given), modulus weighting.")
    folder = _shared_eis()
    if folder is None:
        sec.notes.append("Skipped: ../shared/data/eis was not found next to the working directory (set "
                         "CELLSIM_SHARED_DATA to its path).")
        return sec
    sec.inputs.append(f"Data: {folder} (not part of cellsim; used by path).")
    rows, spectra = [], []
    for fname, (circ, what) in REAL_FILES.items():
        p = folder / fname
        if not p.exists():
            sec.notes.append(f"{fname} not present: skipped.")
            continue
        s = read_spectrum(p)
        kk = lin_kk(s.frequency, s.z)
        r = fit(circ, s)
        rel = float(np.sqrt(np.mean(np.abs(r.residuals / r.z) ** 2)))
        pars = ", ".join(f"{n} = {v:.3g}" + (f" +/- {e:.2g}" if np.isfinite(e) else "")
                         for n, v, e in zip(r.names, r.values, r.stderr))
        rows.append([fname, what, s.n_points, "passed" if kk.passed else "flagged", 100 * kk.max_abs_residual,
                     circ, "yes" if r.success else f"no: {r.message}", 100 * rel, pars])
        spectra.append({"frequency": s.frequency, "z": s.z, "label": f"{fname} (data)", "style": "points"})
        spectra.append({"frequency": s.frequency, "z": r.circuit.impedance(s.frequency, r.values),
                        "label": f"{fname} (fit)"})
    sec.tables.append(("Real spectra: lin-KK and fits from the automatic initial guess",
                       ["file", "what", "points", "lin-KK", "max KK residual [% of |Z|]", "circuit", "fit success",
                        "rms residual [% of |Z|]", "parameters (SI) +/- stderr"], rows))
    plt = _plt()
    n = len(spectra) // 2
    if n:
        fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), layout="constrained")
        axes = np.atleast_1d(axes)
        for k in range(n):
            nyquist(spectra[2 * k:2 * k + 2], ax=axes[k], decade_markers=False)
            axes[k].set_title(rows[k][0], fontsize=8)
        sec.figures.append(("fits", fig, "Measured spectra (points) and cellsim's fits (lines)."))
    return sec
