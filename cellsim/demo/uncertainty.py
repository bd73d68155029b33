"""Demo section: the CCD intervals of the seed's three sandwiches beside its bounds, and what drives them."""

from __future__ import annotations

from dataclasses import asdict

from .section import Section
from .section import pyplot as _plt

MA = 10.0  # A/m2 per mA/cm2
#: (model, step kind, value, figure, the seed's bound [mA/cm2])
SANDWICHES = [
    ("li-uvea-lvo-uvea-li", "capacity", 0.5, "Fig. S19", 9.0),
    ("li-uvea-latp-uvea-li", "time", 0.5, "Fig. S20a", 5.0),
    ("li-uvea-lto-uvea-li", "time", 0.5, "Fig. S20b", 5.0),
]
#: Kept cheap (the demo's budget is ~30 s): 1 mA/cm2 steps, few samples.
SAMPLES = 16
SOBOL_N = 8
STEP = 1.0


def _protocol(kind, value):
    from ..shortcircuit.ccd import StepUpProtocol

    return StepUpProtocol(start=STEP * MA, increment=STEP * MA, stop=15.0 * MA,
                          step_time=value * 3600.0 if kind == "time" else None,
                          step_capacity=value * 36000.0 if kind == "capacity" else None)


def ccd_intervals() -> Section:
    """CCD with its 90 % interval for each seed sandwich (seed's own protocol) and Sobol' indices of one."""
    from ..uncertainty.propagate import propagate
    from ..uncertainty.sensitivity import sensitivity

    sec = Section("ccd_intervals", "CCD intervals of the seed's sandwiches and what drives them",
                  "Every parameter with a range in the parameter files (UVEA transport, interfaces, LIC mechanics "
                  "and interphases, UVEA thickness, and the short-circuit parameters) is sampled by a scrambled "
                  f"Sobol' design ({SAMPLES} samples per cell, seed 0) and each sample is cycled under the seed's "
                  f"half cycle in {STEP:g} mA/cm2 steps to 15 mA/cm2 (coarser than the 0.1 mA/cm2 of the step-up "
                  "section, to keep the demo fast). Shown: median and 5-95 % interval of the CCD, and the probability "
                  "that the cell survives the seed's bound; samples without a short count as CCD > 15 mA/cm2 "
                  "(censored). `cellsim uncertainty MODEL --output ccd --samples 1000` gives the full interval.")
    sec.inputs.append("PREDICTIONS with intervals: the ranges are the files' (range_reason names the source of each); "
                      "the seed gives only lower bounds, which the intervals are set beside, not fitted to.")
    rows, meds, los, his, labels, bounds = [], [], [], [], [], []
    for name, kind, value, fig, bound in SANDWICHES:
        proto = _protocol(kind, value)
        r = propagate(name, "ccd", samples=SAMPLES, seed=0, options={"protocol": asdict(proto)},
                      target=bound * MA, progress=False)
        q95 = f"{r['q95'] / MA:g}" + (" (> stop)" if r["censored"]["q95"] else "")
        rows.append([f"{name} ({fig})", "0.5 mAh/cm2" if kind == "capacity" else "0.5 h", r["q05"] / MA,
                     r["median"] / MA, q95, f"{r['n_censored']}/{r['samples']}", f"no short before {bound:g}",
                     r["p_exceeds"]])
        sec.summary.append([f"P(CCD >= seed bound) {name}", f">= {bound:g} mA/cm2", round(r["p_exceeds"], 2),
                            f"prediction, {r['samples']} samples"])
        meds.append(r["median"] / MA)
        los.append(r["q05"] / MA)
        his.append(r["q95"] / MA)
        labels.append(name.replace("li-uvea-", "").replace("-uvea-li", "").upper())
        bounds.append(bound)
    sec.tables.append(("CCD intervals (prediction) beside the seed's bounds",
                       ["cell", "per half cycle", "q05 [mA/cm2]", "median [mA/cm2]", "q95 [mA/cm2]",
                        "no short (censored)", "the seed", "P(CCD >= seed bound)"], rows))
    latp = SANDWICHES[1]
    s = sensitivity(latp[0], "ccd", method="sobol", samples=SOBOL_N, seed=0,
                    options={"protocol": asdict(_protocol(latp[1], latp[2]))}, progress=False)
    top = s["ranking"][:8]
    sec.tables.append((f"Sobol' total indices of the LATP sandwich's CCD (N = {SOBOL_N} base samples: coarse, "
                       "see the confidence)", ["parameter", "S1", "S1 +-", "ST", "ST +-"],
                       [[n, s["S1"][n], s["S1_conf"][n], s["ST"][n], s["ST_conf"][n]] for n in top]))
    sec.notes.append(f"With {SOBOL_N} base samples ({s['runs']} runs over all {len(s['active'])} ranged parameters) "
                     "the Sobol' indices carry wide confidence intervals; `cellsim sensitivity li-uvea-latp-uvea-li "
                     "--output ccd --step-time '0.5 h' --samples 64` gives a tighter ranking.")
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    x = range(len(labels))
    ax1.errorbar(x, meds, yerr=[[m - l for m, l in zip(meds, los)], [h - m for m, h in zip(meds, his)]], fmt="o",
                 capsize=4, label="cellsim median, 5-95 %")
    ax1.scatter(x, bounds, marker="^", color="C3", label="seed: no short before")
    ax1.set_xticks(list(x), labels)
    ax1.set_ylabel("CCD [mA/cm2]")
    ax1.set_xlabel("sandwich middle layer [-]")
    ax1.legend(fontsize=7)
    ax2.barh(range(len(top)), [s["ST"][n] for n in top], xerr=[s["ST_conf"][n] for n in top], color="C1",
             label="total ST")
    ax2.barh(range(len(top)), [s["S1"][n] for n in top], height=0.4, color="C0", label="first-order S1")
    ax2.set_yticks(range(len(top)), top, fontsize=7)
    ax2.invert_yaxis()
    ax2.set_ylabel("ranged parameter [-]")
    ax2.set_xlabel("Sobol' index of the LATP sandwich CCD [-]")
    ax2.legend(fontsize=7)
    sec.figures.append(("ccd_intervals", fig, "Left: CCD intervals of the sandwiches (prediction) and the seed's "
                        "lower bounds. Right: Sobol' indices of the LATP sandwich's CCD (bars: ST with its 95 % "
                        "confidence, inner bars: S1)."))
    return sec
