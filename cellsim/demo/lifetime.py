"""Demo section: Table S3 lifetimes of the LATP sandwich under symmetric cycling (``cellsim cycle``).

The fullret helper's retention part (Figs. S23-S24, 350 cycles) is a separate section; the
section here holds the Li anode lifetimes and says which seed number is calibrated.
"""

from __future__ import annotations

from .section import Section

H = 3600.0
MODEL = "li-uvea-latp-uvea-li"
#: How far the demo cycles each cell: long enough to reach the predicted failure at 0.1 mA/cm2.
UNTIL_H = 100000.0


def _rows(runs):
    rows = []
    for seed, r in runs:
        life = "survives" if r.lifetime is None else f"{r.lifetime / H:.4g}"
        ratio = "-" if r.lifetime is None else f"{r.lifetime / seed.lifetime:.3g}"
        rows.append([f"{seed.current / 10:g} mA/cm2, {seed.step_time / H:g} h steps", f"{seed.lifetime / H:g}",
                     life, ratio, f"{seed.cumulative_capacity / 36000:g}", f"{r.cumulative_capacity / 36000:.4g}",
                     r.failure or "-", "CALIBRATED (sei_growth_constant)" if seed.role == "calibration"
                     else "prediction"])
    return rows


def lifetime() -> Section:
    """Table S3: Li anode lifetime of UVEA-LATP-UVEA at 0.5 and 0.1 mA/cm2, seed vs cellsim."""
    from ..lifetime import load_lifetime_parameters, run_cycle
    from ..lifetime.plot import plot_cycle
    from ..lifetime.seed import SEED_LIFETIMES
    from ..models import load_model

    st = load_model(MODEL)
    prm = load_lifetime_parameters()
    sec = Section("table_s3_lifetime", "Table S3: lifetime and retention (symmetric-cell lifetime)",
                  "The LATP sandwich between Li foils is cycled at +J/-J with 1 h half cycles (Figs. S14/S16) by "
                  "`cellsim cycle`: the transport model gives each simulated cycle's voltage, and the slow "
                  "mechanisms move between them (time compression, verified against the full cycle-by-cycle run): "
                  "SEI growth at both Li|UVEA contacts (parabolic, Arrhenius), inactive Li piling up as a porous "
                  "layer (Bruggeman resistance) whose top is the deposit front's ratchet into the UVEA, Sand "
                  "dendrites, the reduction interphase where a front reaches LATP, cracks, Li inventory. The life "
                  "ends at a short or when |V| passes 5 V.")
    sec.inputs.append("CALIBRATED: sei_growth_constant on ONE seed number, 2500 h at 0.5 mA/cm2 (Table S3). "
                      "PREDICTIONS: the lifetime at 0.1 mA/cm2 and both cumulative capacities (J x lifetime). "
                      "Estimates with ranges: every other entry of parameters/lifetime.toml ("
                      + ", ".join(f"{k} {prm.status(k)}" for k in ("sei_activation_energy", "sei_ionic_conductivity",
                                                                   "inactive_fraction", "dead_li_porosity",
                                                                   "front_focusing")) + ").")
    runs = [(s, run_cycle(st, s.current, s.step_time, UNTIL_H * H)) for s in SEED_LIFETIMES if s.model == MODEL]
    sec.tables.append((f"Li anode lifetime of {st.title} at 22 degC, 20 MPa (cycled up to {UNTIL_H:g} h)",
                       ["protocol", "seed lifetime [h]", "cellsim [h]", "cellsim / seed", "seed cumulative "
                        "[mAh/cm2]", "cellsim cumulative [mAh/cm2]", "failure", "role"], _rows(runs)))
    for seed, r in runs:
        life = None if r.lifetime is None else round(r.lifetime / H, 1)
        sec.summary.append([f"lifetime {seed.current / 10:g} mA/cm2 [h]", seed.lifetime / H, life,
                            "calibrated" if seed.role == "calibration" else "prediction"])
    pred = [(s, r) for s, r in runs if s.role == "prediction"]
    for s, r in pred:
        if r.lifetime is None or abs(r.lifetime / s.lifetime - 1) > 0.25:
            sec.notes.append(
                f"DISAGREEMENT at {s.current / 10:g} mA/cm2: the seed reports {s.lifetime / H:g} h, cellsim predicts "
                + ("no failure" if r.lifetime is None else f"{r.lifetime / H:.4g} h") + ". With the SEI resistance "
                "growing as sqrt(t) and a fixed voltage limit (the SEI ASR must reach about V_limit / J) the life scales about as J^-2; the seed's two "
                "lifetimes scale as J^-0.64, between time-limited and charge-limited. One calibrated number cannot "
                "give both; the physics is not bent to fit (parameters/lifetime.toml).")
    sec.notes.append("The cumulative capacities of Table S3 are J x lifetime (0.5 x 2500 = 1250, 0.1 x 7000 = 700 "
                     "mAh/cm2): they carry no information beyond the lifetimes.")
    fig = plot_cycle(runs[0][1], title=f"{st.title}: 0.5 mA/cm2, 1 h steps (calibrated on 2500 h)")
    sec.figures.append(("lifetime_0p5", fig, "Symmetric cycling at 0.5 mA/cm2: voltage range of each cycle, the "
                                            "simulated cycles, and the slow ASR and deposit fronts."))
    return sec
