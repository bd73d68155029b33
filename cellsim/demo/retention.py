"""Demo section: the retention part of "Table S3: lifetime and retention" (full cells over 350 cycles)."""

from __future__ import annotations

from .section import Section

#: the runs: (label, model, plated-Li anode [mAh/cm2] or None for the model's 250 um foil)
RUNS = (("250 um Li foil (seed Fig. S24 cell)", "li-uvea-latp-uvea-nmc811", None),
        ("2 mAh/cm2 plated Li (the seed's low-N/P anode)", "li-uvea-latp-uvea-nmc811", 2.0))
CYCLES = 350
REPORT_AT = (1, 50, 100, 200, 350)


def retention() -> Section:
    """Table S3 (retention): Li | UVEA-LATP-UVEA | NMC811 over 350 cycles at 0.2 C beside the seed's 87 %."""
    from ..fullcell.aging import load_aging
    from ..fullcell.retention import SEED_RETENTION

    params = load_aging()
    sec = Section("retention", "Table S3 (retention): Li | UVEA-LATP-UVEA | NMC811 over 350 cycles at 0.2 C",
                  "PyBaMM experiment (SPMe; against the DFN the first cycles' capacities agree to 0.005 %) of 350 "
                  "cycles: CC charge to 4.4 V, CV to C/20, CC discharge to 2.7 V, 22 degC, with three ageing "
                  "mechanisms (parameters/fullcell_aging.toml): loss of NMC811 active material in proportion to "
                  "the charge passed, Li lost at the Li metal to a parabolic SEI and as dead Li (booked against the "
                  "anode's Li inventory), and the sandwich's interphase resistance growing as sqrt(t) (the "
                  "resistance_growth hook). Retention = Q_dis(n) / Q_dis(1).")
    sec.inputs.append("Inputs from the seed: the cell of models/li-uvea-latp-uvea-nmc811.toml (7.4 mg/cm2 NMC811, "
                      "2.7-4.4 V, 250 um Li; 2 mAh/cm2 plated Li for the low-N/P anode). CALIBRATED on the seed: "
                      "nothing; every ageing rate is a literature-guided estimate, so the retention is a prediction "
                      f"and the seed's {100 * SEED_RETENTION['retention']:.0f} % after {SEED_RETENTION['cycles']} "
                      "cycles is a comparison.")
    sec.tables.append(("Ageing parameters (SI values in lab units; status and source in parameters/fullcell_aging.toml)",
                       ["parameter", "value", "status"], _parameter_rows(params)))
    results = [_run(model, anode) for _, model, anode in RUNS]
    _tables_and_summary(sec, results)
    _figure(sec, results)
    return sec


def _run(model: str, anode_mAh_cm2):
    from ..fullcell.design import FullCellDesign, li_anode
    from ..fullcell.retention import simulate_cycles
    from ..models import load_model

    anode = None if anode_mAh_cm2 is None else li_anode(areal_capacity=anode_mAh_cm2 * 3.6e4, source="seed methods")
    return simulate_cycles(FullCellDesign.from_stack(load_model(model), anode=anode), CYCLES, 0.2)


def _parameter_rows(params) -> list:
    from ..units import to_unit

    lab = {"interphase_growth_asr": (lambda v: f"{to_unit(v, 'ohm cm2'):.4g} ohm cm2"),
           "reference_time": (lambda v: f"{v / 3600:.4g} h"),
           "sei_li_loss": (lambda v: f"{to_unit(v, 'mAh/cm2'):.4g} mAh/cm2")}
    rows = []
    for name, src in params.sources.items():
        v = getattr(params, name)
        status = src[src.rfind("[") + 1:-1] if src.endswith("]") else ""
        rows.append([name, lab.get(name, lambda x: f"{x:.4g}")(v), status])
    return rows


def _tables_and_summary(sec: Section, results) -> None:
    from ..fullcell.retention import SEED_RETENTION

    rows = []
    for (label, _, _), r in zip(RUNS, results):
        rows.append([label] + [100 * float(r.retention[n - 1]) for n in REPORT_AT] +
                    [float(r.discharge_capacity_mAh_g[0]), 100 * float(r.coulombic_efficiency[0])])
    rows.append(["seed (Table S3, Fig. S24)"] + [None] * (len(REPORT_AT) - 1) +
                [100 * SEED_RETENTION["retention"], None, None])
    sec.tables.append(("Capacity retention [%] after n cycles at 0.2 C",
                       ["anode"] + [f"n = {n}" for n in REPORT_AT] + ["Q_dis(1) [mAh/g]", "CE(1) [%]"], rows))
    foil, thin = results
    sec.summary.append(["retention after 350 cycles, Li | UVEA-LATP-UVEA | NMC811, 0.2 C [%]",
                        100 * SEED_RETENTION["retention"], round(100 * foil.retention_final, 1),
                        "prediction (no ageing rate calibrated on the seed)"])
    lost = 100 * foil.active_material_loss[-1]
    asr = foil.added_asr_ohm_m2[-1] * 1e4
    sec.notes.append(f"Where the simulated fade comes from (250 um foil): {lost:.1f} % of the NMC811 lost "
                     f"(lam_per_cycle at 4.4 V), {asr:.0f} ohm cm2 of interphase resistance added by cycle 350; the Li "
                     f"inventory stays far from empty ({foil.li_reservoir_C_m2[-1] / 3.6e4:.1f} mAh/cm2 left of "
                     f"{foil.design.anode_capacity / 3.6e4:.1f}), so Li loss does not limit this cell.")
    if thin.li_limited.any():
        first = int(thin.li_limited.argmax()) + 1
        sec.notes.append(f"With 2 mAh/cm2 of plated Li the Li inventory limits the discharge from cycle {first} "
                         f"on (dead Li at CE_Li = {thin.params.li_coulombic_efficiency:g} plus SEI): "
                         f"{100 * thin.retention_final:.0f} % after 350 cycles. The SI gives no retention of its "
                         "low-N/P cells, so this is a prediction without a comparison (after the inventory runs "
                         "out the capacities follow the Li balance; the voltages stay those of PyBaMM's refilled "
                         "cathode, an approximation).")
    sec.notes.append("Not modelled: temperature dependence of the ageing rates, Li|UVEA contact loss, the CEI on "
                     "NMC811 beyond active-material loss, and any short circuit during cycling.")


def _figure(sec: Section, results) -> None:
    from ..fullcell.plot import retention_plot

    labels = [f"{label}: {100 * r.retention_final:.1f} %" for (label, _, _), r in zip(RUNS, results)]
    fig = retention_plot(results, labels=labels, title="Li | UVEA-LATP-UVEA | NMC811, 0.2 C, 2.7-4.4 V, 22 degC")
    sec.figures.append(("retention", fig, "Table S3 / Fig. S24: simulated capacity retention per cycle (lines) "
                                          "and the seed's 87 % after 350 cycles (dot)."))
