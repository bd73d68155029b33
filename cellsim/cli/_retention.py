"""``cellsim fullcell MODEL --cycles N``: capacity retention per cycle (text, JSON, plot)."""

from __future__ import annotations

from ._common import format_table, print_json


def run_cycles(args, stack, design, cycles: int, c_rate: float) -> int:
    """Simulate ``cycles`` cycles of ``design`` and print the retention (``--json``: one object)."""
    from ..fullcell.retention import simulate_cycles
    from ..units import to_unit

    result = simulate_cycles(design, cycles, c_rate, model=args.pybamm_model or "SPMe")
    out = result.to_dict()
    if args.plot:
        from ..fullcell.plot import retention_plot

        fig = retention_plot(result, args.plot, title=f"{stack.title or stack.name}, {c_rate:g} C, "
                                                      f"{design.vmin:g}-{design.vmax:g} V")
        import matplotlib.pyplot as plt

        plt.close(fig)
        out["plot"] = args.plot
    if args.json:
        print_json(out)
        return 0
    print(f"{stack.title or stack.name}: {cycles} cycles at {c_rate:g} C "
          f"({to_unit(result.current_A / design.area, 'mA/cm2'):.4g} mA/cm2), CC-CV charge to {design.vmax:g} V, "
          f"CC discharge to {design.vmin:g} V, {design.temperature - 273.15:.1f} degC, PyBaMM {result.model}")
    print(_table(result))
    print(f"retention after {cycles} cycles: {100 * result.retention_final:.1f} % "
          f"(first-cycle Coulombic efficiency {100 * result.coulombic_efficiency[0]:.2f} %)")
    if "seed_comparison" in out:
        c = out["seed_comparison"]
        print(f"seed: {100 * c['seed_retention']:.0f} % after {c['cycles']} cycles; simulated "
              f"{100 * c['simulated_retention']:.1f} % (a prediction: no ageing rate is calibrated on the seed)")
    if out["li_limited_cycles"]:
        print(f"note: the Li inventory limited the discharge from cycle {out['li_limited_cycles'][0]} on")
    if args.plot:
        print(f"wrote {args.plot}")
    return 0


def _table(result) -> str:
    n = result.cycles
    picks = sorted({1, n} | set(range(max(1, n // 10), n, max(1, n // 10))))
    rows = [[k, result.discharge_capacity_mAh_g[k - 1], 100 * result.retention[k - 1],
             100 * result.coulombic_efficiency[k - 1], result.added_asr_ohm_m2[k - 1] * 1e4,
             100 * result.active_material_loss[k - 1], result.li_reservoir_C_m2[k - 1] / 3.6e4] for k in picks]
    return format_table(["cycle", "discharge [mAh/g]", "retention [%]", "CE [%]", "added ASR [ohm cm2]",
                         "NMC811 lost [%]", "Li left [mAh/cm2]"], rows)
