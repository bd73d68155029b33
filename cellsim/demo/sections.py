"""The demo's sections, in report order. Each returns a :class:`Section`."""

from __future__ import annotations

import math

from ..units import parse_quantity, to_unit
from .section import Section
from .section import pyplot as _plt

CONDUCTIVITY_CELLS = ["ss-uvea-ss", "ss-latp-ss", "ss-lvo-ss", "ss-lto-ss"]
SANDWICHES = ["li-uvea-latp-uvea-li", "li-uvea-lvo-uvea-li", "li-uvea-lto-uvea-li"]




def conductivity_cells() -> Section:
    """Table S2: measured conductivities -> bulk resistances of the seed's cells (Eq. 1)."""
    from ..formulas import conductivity_from_resistance
    from ..models import load_model

    sec = Section("table_s2_cells", "Table S2 and Fig. S8: conductivity cells (seed Eq. 1)",
                  "The seed reports conductivities measured on SS|sample|SS cells (Fig. S5a: UVEA 340 um on "
                  "2 cm2; Fig. S8: LATP 1360 um, LVO 675 um, LTO 728 um on 1.33 cm2). Eq. 1 (sigma = L/(R_b S)) "
                  "turns them back into the bulk resistances the impedance spectra must show, and Eq. 1 applied "
                  "again returns the conductivity (a round-trip check).")
    sec.inputs.append("Inputs from the seed: conductivities (Table S2), thicknesses and areas (Figs. S5a, S8). "
                      "Model files: " + " ".join(f"models/{m}.toml" for m in CONDUCTIVITY_CELLS))
    rows, names, rb = [], [], []
    for name in CONDUCTIVITY_CELLS:
        st = load_model(name)
        layer = st.layers[0]
        r = st.total_bulk_resistance()
        seed_sigma = parse_quantity(st.seed["ionic_conductivity"], "conductivity", f"{name}.seed")
        back = conductivity_from_resistance(r, layer.thickness, st.area)
        rows.append([st.title, to_unit(layer.thickness, "um"), to_unit(st.area, "cm2"),
                     to_unit(seed_sigma, "mS/cm"), r, to_unit(back, "mS/cm")])
        names.append(layer.name)
        rb.append(r)
        sec.summary.append([f"R_b {st.title}", None, round(r, 1), "Eq. 1 from Table S2"])
    sec.tables.append(("Bulk resistance of each conductivity cell from its Table S2 conductivity",
                       ["cell", "L [um]", "S [cm2]", "sigma (seed) [mS/cm]", "R_b (cellsim) [ohm]",
                        "sigma back (Eq. 1) [mS/cm]"], rows))
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.bar(names, rb, color="#3070c0")
    ax.set_yscale("log")
    ax.set_ylabel("bulk resistance R_b [ohm]")
    ax.set_xlabel("conductivity cell (SS | sample | SS)")
    for i, v in enumerate(rb):
        ax.annotate(f"{v:.0f} ohm", (i, v), ha="center", va="bottom", fontsize=8)
    sec.figures.append(("bulk_resistance", fig, "Bulk resistances of the seed's conductivity cells from Eq. 1."))
    return sec


def sandwich_conductivity() -> Section:
    """Table S2: sandwich conductivities, measured vs naive series vs calibrated composite."""
    from ..models import load_model
    from ..summary import naive_series_conductivity

    sec = Section("table_s2_sandwich", "Table S2: apparent conductivity of the sandwiches",
                  "A sandwich of its own measured layers in series (naive: bulk ceramic pellet) conducts far "
                  "less than the seed measured. The pellets are infiltrated by UVEA (Figs. S11, S13); cellsim "
                  "models the pellet as a polymer-infiltrated composite whose polymer fraction is calibrated "
                  "to the measured sandwich conductivity, and prints that implied porosity as a plausibility "
                  "check.")
    sec.inputs.append("Inputs from the seed: UVEA and pellet conductivities and the sandwich conductivities "
                      "(Table S2), pellet thickness ~400 um (methods). ASSUMED: 100 um UVEA per side. "
                      "Model files: " + " ".join(f"models/{m}.toml" for m in SANDWICHES))
    rows, labels, meas, naive, model = [], [], [], [], []
    for name in SANDWICHES:
        st = load_model(name)
        sigma_meas = parse_quantity(st.seed["apparent_conductivity"], "conductivity", f"{name}.seed")
        sig_model = st.apparent_conductivity()
        sig_naive = naive_series_conductivity(st)
        if sig_naive is None:
            sig_naive = sig_model
        comp = [l for l in st.layers if l.kind == "composite"]
        porosity = comp[0].composite.polymer_fraction if comp else None
        status = comp[0].composite.status if comp else "bulk ceramic"
        rows.append([st.title, to_unit(sigma_meas, "mS/cm"), to_unit(sig_naive, "mS/cm"),
                     sigma_meas / sig_naive, to_unit(sig_model, "mS/cm"), porosity, status])
        labels.append(st.layers[1].material.label)
        meas.append(sigma_meas)
        naive.append(sig_naive)
        model.append(sig_model)
        sec.summary.append([f"sigma_app {labels[-1]} sandwich [mS/cm]", to_unit(sigma_meas, "mS/cm"),
                            round(to_unit(sig_model, "mS/cm"), 4),
                            f"naive series {to_unit(sig_naive, 'mS/cm'):.3g} ({sigma_meas / sig_naive:.1f}x below)"])
    sec.tables.append(("Apparent sandwich conductivity: measured, naive series, cellsim model",
                       ["sandwich", "measured [mS/cm]", "naive series [mS/cm]", "measured / naive",
                        "cellsim [mS/cm]", "implied porosity", "status"], rows))
    sec.notes.append("The naive series estimate falls 9-16x below the measured sandwich conductivities: the seed's "
                     "numbers cannot come from its bulk pellets in series with UVEA. This is shown, not hidden; "
                     "the composite calibration says how porous the pellets would have to be.")
    plt = _plt()
    import numpy as np

    fig, ax = plt.subplots(figsize=(6, 3.2))
    x = np.arange(len(labels))
    w = 0.27
    ax.bar(x - w, [to_unit(v, "mS/cm") for v in meas], w, label="measured (seed)")
    ax.bar(x, [to_unit(v, "mS/cm") for v in naive], w, label="naive series")
    ax.bar(x + w, [to_unit(v, "mS/cm") for v in model], w, label="cellsim model")
    ax.set_xticks(x, labels)
    ax.set_yscale("log")
    ax.set_ylabel("apparent conductivity [mS/cm]")
    ax.set_xlabel("middle layer of the sandwich (category)")
    ax.legend(fontsize=8)
    sec.figures.append(("sandwich_conductivity", fig, "Sandwich conductivities: seed vs naive series vs cellsim."))
    return sec


def temperature_dependence() -> Section:
    """Fig. S7: conductivity against temperature from the library's laws."""
    import numpy as np

    from ..library import load_material

    names = ["uvea", "latp", "lvo", "lto", "llzo", "peo-litfsi"]
    sec = Section("fig_s7", "Fig. S7: ionic conductivity against temperature",
                  "Each material's conductivity follows the temperature law in its parameter file (Arrhenius for "
                  "UVEA and the ceramics, VTF for PEO-LiTFSI), anchored at its reference value.")
    sec.inputs.append("Inputs: the reference conductivities (seed Table S2 for UVEA, LATP, LVO, LTO). The activation "
                      "energies are literature estimates (status 'estimate'/'literature' in parameters/*.toml).")
    sec.notes.append("The seed shows UVEA's Arrhenius plot (Fig. S7) but its SI text gives no activation energy or data "
                     "points; cellsim's UVEA curve (Ea = 0.30 eV, SN-based electrolytes 0.2-0.4 eV [L]) is therefore a "
                     "prediction, not a fit. Fit measured points with `cellsim arrhenius DATA`.")
    T = np.linspace(263.15, 363.15, 60)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    rows = []
    for n in names:
        m = load_material(n)
        p = m.parameter("ionic_conductivity")
        sig = np.array([p.at(t) for t in T])
        ax.semilogy(1000.0 / T, to_unit(1.0, "mS/cm") * sig, label=m.label)
        law = type(p.law).__name__ if p.law is not None else "none"
        rows.append([m.label, law, to_unit(p.at(273.15), "mS/cm"), to_unit(p.at(295.15), "mS/cm"),
                     to_unit(p.at(333.15), "mS/cm"), p.status])
    ax.set_xlabel("1000 / T [1/K]")
    ax.set_ylabel("ionic conductivity [mS/cm]")
    sec2 = ax.secondary_xaxis("top", functions=(lambda x: 1000.0 / np.maximum(x, 1e-9) - 273.15,
                                                lambda c: 1000.0 / (c + 273.15)))
    sec2.set_xlabel("temperature [degC]")
    ax.legend(fontsize=7, ncol=2)
    sec.figures.append(("conductivity_vs_T", fig, "Ionic conductivity against temperature (library laws)."))
    sec.tables.append(("Conductivity at 0, 22 and 60 degC", ["material", "law", "0 degC [mS/cm]", "22 degC [mS/cm]",
                                                             "60 degC [mS/cm]", "reference value status"], rows))
    return sec


def predicted_spectra() -> Section:
    """Figs. S5a, S8, S9b: impedance spectra predicted from the composed equivalent circuits."""
    import numpy as np

    from ..circuits import compose_circuit
    from ..models import load_model
    from ..plotting import nyquist

    cells = CONDUCTIVITY_CELLS + ["li-uvea-li"] + SANDWICHES
    sec = Section("eis", "Figs. S5a, S8, S9b: predicted impedance spectra (3 MHz to 1 Hz, like the seed)",
                  "Each cell's equivalent circuit is composed from its stack (cellsim.circuits.compose_circuit): "
                  "bulk R with geometric C per layer, R||CPE per interface, blocking double layers, the finite-length "
                  "diffusion of the polymer, electronic leakage where it matters. For the conductivity cells the "
                  "high-frequency arc closes on the Eq. 1 bulk resistance, marked on each plot; that is the "
                  "intercept the seed read to get Table S2.")
    sec.inputs.append("Inputs from the seed: conductivities (Table S2), geometry (Figs. S5a, S8). ESTIMATES (to be "
                      "fitted to measured spectra with `cellsim validate`): interface resistances and capacitances "
                      "(parameters/interfaces.toml), relative permittivities. Model files: "
                      + " ".join(f"models/{m}.toml" for m in cells))
    sec.notes.append("The seed's spectra themselves are not available as data, so the arcs below are predictions from "
                     "estimated interface parameters; only the bulk intercepts of the conductivity cells follow from "
                     "the seed's own numbers.")
    f = np.logspace(np.log10(3e6), 0.0, 65)
    plt = _plt()
    rows = []
    fig1, axes = plt.subplots(1, len(CONDUCTIVITY_CELLS), figsize=(13, 3.6), layout="constrained")
    fig2, axes2 = plt.subplots(1, len(cells) - len(CONDUCTIVITY_CELLS), figsize=(13, 3.6), layout="constrained")
    for i, name in enumerate(cells):
        st = load_model(name)
        cc = compose_circuit(st)
        z = cc.impedance(f)
        rb = st.total_bulk_resistance()
        blocking = name.startswith("ss-")
        ax = axes[i] if blocking else axes2[i - len(CONDUCTIVITY_CELLS)]
        nyquist([(f, z, st.layers[0].material.label if blocking else st.title)], ax=ax,
                decade_markers=True)
        ax.axvline(rb, color="0.4", ls="--", lw=0.8)
        ax.annotate(f"R_b = {rb:.4g} ohm", (rb, 0.97), xycoords=("data", "axes fraction"), ha="left", va="top",
                    textcoords="offset points", xytext=(3, 0), fontsize=7, color="0.3")
        ax.set_title(st.title, fontsize=8)
        if ax.get_legend():
            ax.get_legend().remove()
        arcs = [g for g in cc.groups if g.tau is not None and g.resistance is not None and math.isfinite(g.resistance)]
        arcs.sort(key=lambda g: g.tau)
        rows.append([st.title, rb, float(z[0].real), float(z[-1].real),
                     "; ".join(f"{g.kind} {g.where}: R = {g.resistance:.3g} ohm, tau = {g.tau:.2g} s" for g in arcs)])
        if not blocking:
            sec.summary.append([f"Z'(1 Hz) {st.title} [ohm]", None, round(float(z[-1].real), 1),
                                f"prediction; R_b = {rb:.3g} ohm + interfaces"])
    sec.figures.append(("conductivity_cells", fig1, "Predicted Nyquist plots of the conductivity cells (SS|sample|SS); "
                        "dashed: Eq. 1 bulk resistance from Table S2. Diamonds: frequency decades."))
    sec.figures.append(("li_cells", fig2, "Predicted Nyquist plots of Li|UVEA|Li and the three sandwiches (composed "
                        "circuits; interface parameters are estimates). Dashed: total bulk resistance."))
    sec.tables.append(("Predicted spectra: bulk resistance, Z' at 3 MHz and at 1 Hz, and the arcs in order of their "
                       "time constants", ["cell", "R_b (Eq. 1) [ohm]", "Z'(3 MHz) [ohm]", "Z'(1 Hz) [ohm]",
                                          "arcs (fast to slow)"], rows))
    return sec


def _sections():
    from .cells import full_cells, real_spectra
    from .lab import dc_resistance, transference
    from .lifetime import lifetime
    from .retention import retention
    from .shorts import screening, step_up
    from .trends import conditions, published
    from .uncertainty import ccd_intervals

    return [conductivity_cells, sandwich_conductivity, predicted_spectra, dc_resistance, transference,
            temperature_dependence, step_up, conditions, published, ccd_intervals, full_cells, lifetime, retention,
            screening, real_spectra]


SECTIONS = _sections()
