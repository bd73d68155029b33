"""Demo sections: what the short-circuit onset answers (pressure, temperature, thickness) and the
published trends beside the model."""

from __future__ import annotations

import math

from .section import Section
from .section import pyplot as _plt

MA = 10.0  # A/m2 per mA/cm2


def _ccd_value(r):
    return math.nan if r.ccd is None else r.ccd / MA


def conditions() -> Section:
    """CCD of the LATP sandwich against stack pressure, temperature and layer thicknesses."""
    import numpy as np

    from ..models import load_model
    from ..shortcircuit.ccd import StepUpProtocol, load_parameters, run_ccd

    prm = load_parameters()
    base = load_model("li-uvea-latp-uvea-li")
    proto = StepUpProtocol(start=0.5 * MA, increment=0.5 * MA, stop=20 * MA, step_time=1800.0)
    sec = Section("conditions", "What moves the short-circuit onset: pressure, temperature, thicknesses",
                  "The LATP sandwich under 0.5 h per half cycle (0.5 mA/cm2 steps to 20 mA/cm2), one condition "
                  "varied at a time around the seed's 20 MPa, 22 degC, 100 | 400 | 100 um. The mechanisms: Sand "
                  "nucleation and anion-drift growth of dendrites in UVEA; at the LATP, crack initiation at the "
                  "largest flaw when the focused current through the Li|LATP charge transfer (Arrhenius) reaches "
                  "the Griffith/Porz overpotential, and a Li filament that must cross the pellet; contact under "
                  "pressure (Tabor) and voids on stripping for Li pressed on a ceramic.")
    sec.inputs.append("PREDICTIONS: every CCD here. The contact, creep and crack parameters are literature values "
                      "or estimates with ranges (parameters/shortcircuit.toml); the stripping limit's two numbers are "
                      "calibrated on Li|LLZO data (Wang et al. 2019), not on the seed.")
    sweeps = {
        "stack pressure [MPa]": ([1, 2, 5, 10, 20, 40], lambda v: base.with_conditions(pressure=v * 1e6)),
        "temperature [degC]": ([0, 10, 22, 40, 60], lambda v: base.with_conditions(temperature=v + 273.15)),
        "LATP thickness [um]": ([100, 200, 400, 800], lambda v: base.with_layer("LATP", thickness=v * 1e-6)),
        "UVEA thickness, each [um]": ([25, 50, 100, 200],
                                     lambda v: base.with_layer("UVEA-1", thickness=v * 1e-6)
                                     .with_layer("UVEA-2", thickness=v * 1e-6)),
    }
    plt = _plt()
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.0), layout="constrained", sharey=True)
    rows = []
    for ax, (label, (values, make)) in zip(axes, sweeps.items()):
        ys, lim = [], []
        for v in values:
            r = run_ccd(make(v), proto, prm, explain=False)
            ys.append(_ccd_value(r))
            lim.append(r.mechanism.split(":")[0] if r.ccd is not None else "no short")
            rows.append([label, v, "none <= 20" if r.ccd is None else r.ccd / MA, r.kind or "-"])
        y = np.array(ys, dtype=float)
        ok = np.isfinite(y)
        ax.plot(np.array(values)[ok], y[ok], "o-", color="C0", label="CCD")
        if (~ok).any():
            ax.plot(np.array(values)[~ok], np.full((~ok).sum(), 20.0), "^", color="C3",
                    label="no short up to 20 (lower bound)")
        ax.set_xlabel(label)
        if label.startswith("stack"):
            ax.set_xscale("log")
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes:
        ax.set_ylabel("CCD [mA/cm2]")
    sec.figures.append(("ccd_conditions", fig, "LATP sandwich: simulated CCD (0.5 h per half cycle) against one "
                                               "condition at a time; triangles = no short within the protocol."))
    sec.tables.append(("CCD of the LATP sandwich against the conditions (predictions)",
                       ["varied", "value", "CCD [mA/cm2]", "kind"], rows))
    return sec


def published() -> Section:
    """Published CCD trends (parameters/trends/) beside the model, agreements and disagreements."""
    import numpy as np

    from ..shortcircuit.ccd import load_parameters
    from ..shortcircuit.trends import INTERLAB_FACTOR, all_trends

    prm = load_parameters()
    trends = all_trends()
    sec = Section("trends", "Published short-circuit trends beside the model",
                  "Experimental trends from the literature (cited tables in parameters/trends/), each compared with "
                  "the one shipped parameter set, no per-point adjustment. Agreement is judged against the spread "
                  f"of independent measurements of the same quantity (a factor {INTERLAB_FACTOR:g}).")
    sec.inputs.append("CALIBRATED: the stripping limit's diffusion length (0 MPa) and creep term (2 MPa) on the two "
                      "Li|LLZO points of Wang et al. 2019; Li|Li6PS5Cl's own creep reference on Kasemchainan et al. "
                      "2019 (0.2 mA/cm2 at 3 MPa, room temperature; parameters/li6ps5cl.toml); every other point is "
                      "a prediction. ASSUMED: no Li self-diffusion supply at Li|Li6PS5Cl (no zero-pressure "
                      "measurement calibrates it; with the Li|LLZO spacing the limits at 60-80 degC would be "
                      "8.5-12x the data); the pellet "
                      "thickness (700 um) and step time (0.5 h) of the simulated Li|Li6PS5Cl|Li test of the "
                      "temperature trend (the source's abstract gives neither); the thicknesses (25-200 um) and "
                      "temperature (90 degC) of the simulated Li|PEO-LiTFSI|Li cells of the polymer thickness trend "
                      "(its source gives the exponent only).")
    rows = []
    for t in trends:
        for r in t.rows:
            bound = r.get("bound", "value")
            measured = {"upper": "< ", "lower": ">= "}.get(bound, "") + f"{r['measured']:.3g}"
            ratio = (f"{r['ratio']:.2g}" if r["ratio"] is not None else
                     "bound met" if r.get("bound_met") else "bound NOT met")
            x = r["x"] if isinstance(r["x"], str) else f"{r['x']:g}"
            rows.append([t.name, x, r["label"], r["source"], r["role"], measured,
                         "-" if r["predicted"] is None else f"{r['predicted']:.3g}", ratio])
        sec.notes.append(f"{t.name}: {t.verdict}")
    sec.tables.append(("Published points and cellsim", ["trend", "x", "material", "source", "role", "measured",
                                                        "cellsim", "cellsim / measured"], rows))
    plt = _plt()
    fig, axes = plt.subplots(1, 5, figsize=(17, 3.2), layout="constrained")
    pt = trends[0]
    p = np.linspace(0, 10, 101)
    ax = axes[0]
    from ..library import load_material

    lpscl = load_material("Li6PS5Cl")
    ax.plot(p, [prm.stripping_limit(x * 1e6, 295.15) / MA for x in p],
            color="C0", label="cellsim, Li|LLZO (22 degC)")
    ax.plot(p, [prm.stripping_limit(x * 1e6, 295.15, lpscl) / MA for x in p],
            color="C1", label="cellsim, Li|Li6PS5Cl (22 degC)")
    for role, mk in (("calibration", "s"), ("prediction", "o")):
        rr = [r for r in pt.rows if r["role"] == role]
        ax.plot([r["x"] for r in rr], [r["measured"] for r in rr], mk, color="k", mfc="none" if role == "prediction"
                else "k", label=f"published ({role})")
    ax.set_xlabel("stack pressure [MPa]")
    ax.set_ylabel("critical stripping current [mA/cm2]")
    ax.legend(fontsize=7)
    _temperature_panel(axes[1], trends[1], prm)
    it = trends[2]
    ax = axes[2]
    ax.loglog([r["x"] for r in it.rows], [r["measured"] for r in it.rows], "o", color="k", mfc="none",
              label="published")
    ax.loglog([r["x"] for r in it.rows], [r["predicted"] for r in it.rows], "x", color="C0", label="cellsim, simulated step-up CCD (0 MPa)")
    ax.set_xlabel("Li|garnet ASR [ohm cm2]")
    ax.set_ylabel("CCD [mA/cm2]")
    ax.legend(fontsize=7)
    po = trends[3]
    ax = axes[3]
    from ..formulas import sand_time
    from ..library import load_material

    mat = load_material("peo-litfsi")
    j = np.logspace(-1, 0.3, 30)
    T = 333.15
    ax.loglog(j, [sand_time(mat.get("salt_diffusivity", T), mat.get("salt_concentration"), x * MA,
                            mat.get("transference_number")) / 3600 for x in j], color="C0",
              label="cellsim Sand time (PEO-LiTFSI, 60 degC)")
    ax.loglog([r["x"] for r in po.rows], [r["measured"] for r in po.rows], "o", color="k", mfc="none",
              label="published onset (Liu 2010)")
    ax.set_xlabel("current density [mA/cm2]")
    ax.set_ylabel("dendrite onset [h]")
    ax.legend(fontsize=7)
    _polymer_thickness_panel(axes[4], trends[4])
    sec.figures.append(("published_trends", fig, "1: stripping limit against stack pressure (squares calibrated, "
                                                 "circles predicted; Li|Li6PS5Cl has its own creep "
                                                 "reference, calibrated on K19). 2: Li|Li6PS5Cl|Li critical "
                                                 "stripping current against temperature at 1 MPa, predicted "
                                                 "(triangles: published bounds; dashed: the Li|LLZO law, 6-12x "
                                                 "above). 3: CCD against interfacial resistance "
                                                 "(cellsim: the simulated step-up CCD of an assumed test "
                                                 "without stack pressure; its weaker slope stated). 4: "
                                                 "dendrite onset in PEO-LiTFSI (disagreement stated). 5: polymer "
                                                 "limiting current against thickness (the source gives the exponent "
                                                 "-1 only) and the simulated step-up CCD against thickness (no data)."))
    for t in trends:
        sec.summary.append([f"published trend: {t.name}", "literature", t.headline, "validation"])
    return sec


def _temperature_panel(ax, trend, prm):
    """Stripping limit (and its creep supply) against temperature at 1 MPa beside the published points."""
    import numpy as np

    from ..library import load_material

    lpscl = load_material("Li6PS5Cl")
    t = np.linspace(20, 90, 71)
    ax.semilogy(t, [prm.stripping_limit(1e6, x + 273.15, lpscl) / MA for x in t], color="C1",
                label="cellsim, Li|Li6PS5Cl (1 MPa)")
    ax.semilogy(t, [prm.stripping_limit(1e6, x + 273.15) / MA for x in t], "--", color="C0",
                label="cellsim, Li|LLZO law (1 MPa)")
    at1 = [r for r in trend.rows if r["pressure_MPa"] == 1.0]
    marks = {"value": "o", "upper": "v", "lower": "^"}
    for bound, mk in marks.items():
        rr = [r for r in at1 if r["bound"] == bound]
        if rr:
            ax.semilogy([r["x"] for r in rr], [r["measured"] for r in rr], mk, color="k", mfc="none",
                        label=f"published ({'bound' if bound != 'value' else 'value'}, 1 MPa)")
    sims = [r for r in at1 if r["simulated"] is not None]
    ax.semilogy([r["x"] for r in sims], [r["simulated"] for r in sims], "x", color="C3",
                label="cellsim simulated CCD (assumed cell)")
    ax.set_xlabel("temperature [degC]")
    ax.set_ylabel("critical current [mA/cm2]")
    ax.legend(fontsize=6)


def _polymer_thickness_panel(ax, trend):
    """Simulated limiting current of Li | PEO-LiTFSI | Li against thickness, the published exponent
    as a slope through its middle point, and the simulated step-up CCD against thickness."""
    r = trend.rows[0]
    pts = [(L, j) for L, j, _ in r["points"] if j is not None]
    ax.loglog([p[0] for p in pts], [p[1] for p in pts], "x", color="C0",
              label=f"cellsim limiting current ({r['temperature_K'] - 273.15:.0f} degC)")
    L0, j0 = pts[len(pts) // 2]
    ends = [pts[0][0], pts[-1][0]]
    ax.loglog(ends, [j0 * (L / L0) ** r["measured"] for L in ends], "--", color="k",
              label=f"published: J_lim ~ L^{r['measured']:g} ({r['label']}, no values)")
    steps = [(L, j) for L, j, _ in trend.step_up if j is not None]
    if steps:
        ax.loglog([p[0] for p in steps], [p[1] for p in steps], "o-", color="C3", mfc="none",
                  label="cellsim step-up CCD (0.5 h, 60 degC; no data)")
    ticks = sorted({p[0] for p in pts} | {p[0] for p in steps})
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    yt = [v for v in (1, 2, 5, 10, 20, 50) if min(p[1] for p in pts + steps) / 1.5 <= v <= 1.5 * max(
        p[1] for p in pts + steps)]
    ax.set_yticks(yt, [f"{v:g}" for v in yt])
    ax.set_xlabel("polymer thickness [um]")
    ax.set_ylabel("current density [mA/cm2]")
    ax.legend(fontsize=6, loc="upper center")
