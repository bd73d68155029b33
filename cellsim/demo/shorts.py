"""Demo sections on short circuits: Figs. S19-S21 (step-up tests under the seed's own
protocols) and the LIC screening of the library in sandwich form."""

from __future__ import annotations

import math

from .section import Section
from .section import pyplot as _plt

MA = 10.0  # A/m2 per mA/cm2

#: (model, protocol kind, value, figure) - the seed's own protocols
CCD_CELLS = [
    ("li-uvea-lvo-uvea-li", "capacity", 0.5, "Fig. S19", "no short before 9 mA/cm2"),
    ("li-uvea-latp-uvea-li", "time", 0.5, "Fig. S20a", "no short before 5 mA/cm2"),
    ("li-uvea-lto-uvea-li", "time", 0.5, "Fig. S20b", "no short before 5 mA/cm2"),
    ("li-uvea-latp-uvea-li", "capacity", 0.5, "Table S3", "> 14 mA/cm2"),
    ("li-uvea-li", "time", 0.5, "bare UVEA", "not given"),
    ("li-latp-li", "time", 0.5, "Fig. S21a", "hardly initiated at 0.05 mA/cm2"),
    ("li-lvo-li", "time", 0.5, "Fig. S21b", "fails far earlier than the sandwich"),
    ("li-lto-li", "time", 0.5, "Fig. S21c", "fails far earlier than the sandwich"),
]




_MARGIN_KEYS = ("polymer_dendrite", "crack_initiation", "crack_propagation", "void_formation", "interphase_growth",
                "polarization")


def _protocol(kind, value, start=0.1, inc=0.1, stop=15.0):
    from ..shortcircuit.ccd import StepUpProtocol

    return StepUpProtocol(start=start * MA, increment=inc * MA, stop=stop * MA,
                          step_time=value * 3600.0 if kind == "time" else None,
                          step_capacity=value * 36000.0 if kind == "capacity" else None)


def step_up() -> Section:
    """Figs. S19-S21: step-up tests of each sandwich and bare cell under the seed's protocols."""
    from ..models import load_model
    from ..shortcircuit.ccd import load_parameters, run_ccd
    from ..shortcircuit.plot import plot_ccd

    prm = load_parameters()
    sec = Section("ccd", "Figs. S19-S21: step-up critical current density under the seed's own protocols",
                  "Each cell is cycled from 0.1 mA/cm2 in 0.1 mA/cm2 steps (plate, then strip) up to 15 mA/cm2, with "
                  "the seed's half-cycle: 0.5 mAh/cm2 for the LVO sandwich (Fig. S19), 0.5 h for the LATP and LTO "
                  "sandwiches (Fig. S20) and the bare cells. Dendrites nucleate where the salt at a plating face runs "
                  "out (Sand), grow at the anion drift velocity, partly dissolve on reversal; the middle layer is "
                  "crossed by reduction/lithiation interphases, its own electronic conduction, or a crack (Griffith). "
                  "The start and increment of the seed's tests are not given; 0.1 mA/cm2 is assumed.")
    statuses = {k: v.rsplit("[", 1)[-1].rstrip("]") for k, v in prm.sources.items()}
    sec.inputs.append("PREDICTIONS: every CCD below. The seed reports only lower bounds (no short before ...), which "
                      "cannot calibrate a parameter; the short-circuit parameters are estimates "
                      "(parameters/shortcircuit.toml: " + ", ".join(f"{k} {statuses[k]}" for k in
                                                                   ("enhancement", "dead_fraction", "flaw_size",
                                                                    "contact_resistance")) + "). Inputs from the "
                      "seed: layer conductivities, the calibrated pellets, the protocols.")
    rows = []
    traces = {}
    margin_rows = []
    for name, kind, value, fig, seed in CCD_CELLS:
        st = load_model(name)
        p = _protocol(kind, value)
        r = run_ccd(st, p, prm)
        ccd = "none up to 15" if r.ccd is None else f"{r.ccd / MA:g} ({r.kind})"
        dep = "-" if r.depends_on_middle_layer is None else ("yes" if r.depends_on_middle_layer else "no")
        rows.append([f"{st.title} ({fig})", "0.5 mAh/cm2" if kind == "capacity" else "0.5 h", ccd,
                     "-" if r.survived is None else r.survived / MA, dep, r.mechanism, seed])
        margin_rows.append([f"{st.title} ({fig})"] + [
            "-" if r.margins.get(k) is None else f"{r.margins[k] / MA:g}" for k in _MARGIN_KEYS])
        traces[(name, kind)] = (st, r)
        sec.summary.append([f"CCD {st.title} ({fig}) [mA/cm2]", seed,
                            "none<=15" if r.ccd is None else r.ccd / MA, "prediction"])
        for n in r.notes:
            if "cannot push a dendrite" in n and n not in sec.notes:
                sec.notes.append(f"{st.title} ({fig}): {n}")
    sec.tables.append(("Step-up tests at the seed's 22 degC and 20 MPa: cellsim's CCD (prediction) and mechanism next "
                       "to what the seed reports; 'middle layer' = whether the result changes when the middle layer "
                       "conducts electrons from the start",
                       ["cell", "per half cycle", "CCD cellsim [mA/cm2]", "survived [mA/cm2]", "middle layer matters",
                        "mechanism", "the seed"], rows))
    sec.tables.append(("Margins: the protocol level at which each mechanism alone would trigger [mA/cm2] ('-' = "
                       "not within the protocol); the CCD is where they combine in time",
                       ["cell"] + [k.replace("_", " ") for k in _MARGIN_KEYS], margin_rows))
    sec.notes.append("Where cellsim and the seed agree: the three sandwiches survive past the seed's bounds (LVO 9 "
                     "mA/cm2 at 0.5 mAh/cm2; LATP and LTO 5 mA/cm2 at 0.5 h); the bare LATP and LTO cells fail by "
                     "polarization (resistive Li|ceramic reaction layers) and bare LVO by electronic leakage, far "
                     "earlier. What the model says the seed does not: at 0.5 mAh/cm2 per half cycle a dendrite cannot "
                     "cross 100 um of UVEA in one half cycle (it needs ~0.56 mAh/cm2), so the sandwiches' "
                     "capacity-limited results do not depend on the middle layer; the LATP sandwich at 0.5 h shorts "
                     "only when the current focused through the Li|LATP contact cracks the pellet (crack initiation "
                     "at the largest flaw, then a Li filament across it). A choice made with the seed's bound in view, "
                     "stated: voids on stripping are applied to Li foils pressed on a ceramic, not to dendrite tips "
                     "that reached the LATP through UVEA; applied to the tips too (stripping limit 3.1 mA/cm2 at 20 "
                     "MPa) the LATP sandwich would short at 3.7 mA/cm2, below the seed's 'no short before 5 mA/cm2'.")
    for (name, kind), label in ((("li-uvea-lvo-uvea-li", "capacity"), "lvo"), (("li-uvea-latp-uvea-li", "time"), "latp"),
                                (("li-uvea-li", "time"), "uvea")):
        st, r = traces[(name, kind)]
        fig = plot_ccd(r, title=f"{st.title}: {r.protocol.describe()}")
        sec.figures.append((f"trace_{label}", fig, f"{st.title}: simulated step-up voltage trace and the depth of the "
                                                   "dendrite / interphase fronts in each layer."))
    return sec


def screening() -> Section:
    """LIC screening: the library in sandwich form ranked by CCD, resistance, cost and abundance."""
    from ..library import list_materials, load_material
    from ..models import load_model
    from ..shortcircuit.ccd import load_parameters, run_ccd
    from ..stack import Layer

    prm = load_parameters()
    base = load_model("li-uvea-latp-uvea-li")
    sec = Section("screening", "LIC screening: every conductor of the library as the middle layer",
                  "Each inorganic conductor of the library replaces LATP as a dense 400 um pellet between two 100 um "
                  "UVEA layers (its bulk conductivity, no infiltration), on the seed's 1.33 cm2 area at 22 degC. "
                  "Ranked by the step-up CCD (0.5 h per half cycle, 0.5 mA/cm2 steps to 15 mA/cm2), then by the "
                  "sandwich's area-specific bulk resistance.")
    sec.inputs.append("Inputs: the library (parameters/*.toml: conductivities with sources, fracture toughness, "
                      "what Li does to each conductor, element-basis cost and scarcest element from physics.md §3.3; "
                      "cost for ranking only). PREDICTIONS: all CCDs. Dense pellets: the seed's infiltration "
                      "(calibrated only for LATP, LVO, LTO) is not assumed for the others.")
    rows = []
    for key in list_materials():
        m = load_material(key)
        if m.kind not in ("ceramic", "mixed", "inert") or not m.has("ionic_conductivity"):
            continue
        sig = m.get("ionic_conductivity", base.temperature)
        if not sig > 0:
            continue
        st = base.replace(layers=(base.layers[0], Layer(m.label, m, 400e-6, thickness_source="screening: 400 um"),
                                  base.layers[2]), interfaces=base.interfaces)
        # interfaces keep their names: rename the middle ones for this material
        st = type(base).build(list(st.layers), base.left, base.right, base.area, base.temperature, pressure=base.pressure,
                              name=f"li-uvea-{key}-uvea-li", title=f"Li | UVEA | {m.label} | UVEA | Li")
        r = run_ccd(st, _protocol("time", 0.5, start=0.5, inc=0.5), prm)
        asr = sum(l.asr(st.temperature) for l in st.layers)
        cost = m.get("cost", default=float("nan")) if m.has("cost") else float("nan")
        kic = m.get("fracture_toughness") / 1e6 if m.has("fracture_toughness") else "unknown (cannot crack)"
        rows.append([m.label, m.get("ionic_conductivity", st.temperature) * 10.0, asr * 1e4,
                     math.inf if r.ccd is None else r.ccd / MA, r.kind or "-", kic, cost,
                     str(m.info.get("scarcest_element", "-")), str(m.info.get("middle_layer_path", "-"))])
    rows.sort(key=lambda x: (-x[3], x[2]))
    for row in rows:
        if math.isinf(row[3]):
            row[3] = "none <= 15"
    sec.tables.append(("LIC screening (dense pellets in a 100 | 400 | 100 um sandwich)",
                       ["middle layer", "sigma [mS/cm]", "bulk ASR [ohm cm2]", "CCD [mA/cm2]", "kind",
                        "K_IC [MPa m0.5]", "cost [$/kg, element basis]", "scarcest element", "path at Li contact"],
                       rows))
    sec.notes.append("A conductor without a fracture toughness in the library cannot crack in the model, and one "
                     "whose interphase growth constant is unknown is not crossed by reduction: their 'no short' is "
                     "missing data, not stability (the K_IC column says which).")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    stop = 15.0
    shorted = [r for r in rows if not isinstance(r[3], str)]
    survived = [r for r in rows if isinstance(r[3], str)]
    ax.scatter([r[2] for r in shorted], [r[3] for r in shorted], s=30, color="C0", label="CCD (short)")
    ax.scatter([r[2] for r in survived], [stop] * len(survived), s=40, marker="^", color="C3",
               label=f"no short up to {stop:g} mA/cm2 (protocol end: a lower bound)")
    for k, r in enumerate(sorted(rows, key=lambda r: r[2])):
        y = stop if isinstance(r[3], str) else r[3]
        ax.annotate(r[0], (r[2], y), fontsize=7, xytext=(4, 6 if k % 2 else -10), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("sandwich bulk ASR [ohm cm2]")
    ax.set_ylabel("CCD at 0.5 h per half cycle [mA/cm2]")
    ax.set_ylim(0, stop * 1.15)
    ax.legend(fontsize=7, loc="lower left")
    sec.figures.append(("ccd_vs_asr", fig, "LIC screening: CCD against bulk ASR of the sandwich."))
    return sec
