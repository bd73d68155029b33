"""``cellsim fullcell MODEL``: first cycle (or, with ``--cycles N``, the capacity retention) of a Li | sandwich |
NMC811 full cell through PyBaMM."""

from __future__ import annotations

import math

from ..errors import InputError, UnitError
from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json


def register(sub):
    p = sub.add_parser("fullcell", help="full cell Li | electrolyte | NMC811 through PyBaMM: capacity, voltage, N/P, self-discharge",
                       description="Seed protocol: CC charge to VMAX then CC discharge to VMIN at --c-rate "
                                   "(1 C = 210 mA/g of NMC811), on PyBaMM's Li-metal half-cell model with Chen2020's "
                                   "NMC811; polymer layers as the separator, middle layer and interfaces as a series "
                                   "resistance.")
    p.add_argument("model", help="model name (e.g. li-uvea-lvo-uvea-nmc811) or path to a model TOML")
    p.add_argument("--c-rate", "--rate", dest="c_rate", default="0.2",
                   help="C-rate of this cell: 0.2, 0.2C or C/5 (default 0.2)")
    p.add_argument("--cycles", default=None, metavar="N",
                   help="run N CC-CV charge / CC discharge cycles with degradation (NMC811 active-material loss, "
                        "Li-side SEI and dead Li, interphase resistance growth; parameters/fullcell_aging.toml) and "
                        "report the discharge capacity and retention per cycle")
    p.add_argument("--vmin", default=None, help="lower voltage limit, e.g. 2.7 or '2.7 V' (default: model file)")
    p.add_argument("--vmax", default=None, help="upper voltage limit, e.g. 4.2 or '4.2 V' (default: model file)")
    p.add_argument("--anode", default=None, metavar="Q_OR_L",
                   help="replace the Li electrode: a foil thickness ('250 um') or plated Li ('2 mAh/cm2')")
    p.add_argument("--pybamm-model", default=None, choices=("DFN", "SPMe", "SPM"),
                   help="PyBaMM model (default DFN; SPMe with --cycles)")
    p.add_argument("--protocol", default="cycle", choices=("cycle", "discharge"),
                   help="'cycle': charge then discharge from the pristine cathode (seed); 'discharge': from the charged state")
    p.add_argument("--sweep", metavar="LAYER=L1,L2,...",
                   help="also run LAYER at each thickness, e.g. 'UVEA-1=20um,100um,300um' or 'LVO=0.1mm,1mm'")
    p.add_argument("--compare", nargs="+", metavar="MODEL", default=None,
                   help="also run these models in MODEL's voltage window (compare middle layers); "
                        "--cell applies to MODEL only")
    p.add_argument("--plot", metavar="FILE.png",
                   help="save the voltage-capacity plot (all runs overlaid); with --cycles the retention per cycle")
    add_cell_flag(p)
    add_json_flag(p)
    return p


def _number(text, field: str, dimension: str | None, allowed: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        if dimension is None:
            raise InputError(field, text, allowed) from None
        from ..units import parse_quantity

        v = parse_quantity(text, dimension, field)
    if not math.isfinite(v) or v <= 0:
        raise InputError(field, text, allowed)
    return v


def _cycles(text) -> int:
    from ..fullcell.retention import MAX_CYCLES

    try:
        n = int(str(text).strip())
    except ValueError:
        raise InputError("--cycles", text, f"a whole number of cycles, 1-{MAX_CYCLES}") from None
    if not 1 <= n <= MAX_CYCLES:
        raise InputError("--cycles", text, f"a whole number of cycles, 1-{MAX_CYCLES}")
    return n


def _anode(text):
    from ..fullcell.design import li_anode
    from ..units import parse_quantity

    try:
        return li_anode(thickness=parse_quantity(text, "length", "--anode"), source="--anode")
    except UnitError:
        pass
    try:
        q = parse_quantity(text, "charge_density", "--anode")
    except UnitError:
        raise InputError("--anode", text, "a Li thickness such as '250 um' or an areal capacity such as '2 mAh/cm2'") from None
    if not q > 0:
        raise InputError("--anode", text, "an areal capacity > 0")
    return li_anode(areal_capacity=q, source="--anode")


def _sweep(text):
    from ..units import parse_quantity

    layer, sep, values = (text or "").partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not layer.strip() or not items:
        raise InputError("--sweep", text, "LAYER=L1,L2,... e.g. 'UVEA-1=20um,100um,300um'")
    out = []
    for v in items:
        L = parse_quantity(v, "length", "--sweep")
        if not L > 0:
            raise InputError("--sweep", v, "thicknesses > 0, e.g. 100um")
        out.append(L)
    return layer.strip(), out


def run(args) -> int:
    from ..fullcell.design import FullCellDesign, mAh_cm2
    from ..fullcell.cycling import simulate
    from ..models import load_model
    from ..units import to_unit

    from ..fullcell.retention import parse_c_rate

    c_rate = parse_c_rate(args.c_rate)
    cycles = None if args.cycles is None else _cycles(args.cycles)
    vmin = None if args.vmin is None else _number(args.vmin, "--vmin", "voltage", "a voltage > 0, e.g. 2.7")
    vmax = None if args.vmax is None else _number(args.vmax, "--vmax", "voltage", "a voltage > 0, e.g. 4.2")
    anode = None if args.anode is None else _anode(args.anode)
    sweep = None if args.sweep is None else _sweep(args.sweep)
    stack = load_cell(args)
    others = [load_model(m) for m in (args.compare or [])]
    if sweep is not None:
        stack.layer_index(sweep[0])  # unknown layer -> InputError before any simulation
    if vmin is not None and vmax is not None and vmin >= vmax:
        raise InputError("--vmin", args.vmin, f"a voltage below --vmax = {vmax:g} V")
    design = FullCellDesign.from_stack(stack, vmin=vmin, vmax=vmax, anode=anode)
    if cycles is not None:
        from ._retention import run_cycles

        if sweep is not None or others or args.protocol != "cycle":
            raise InputError("--cycles", args.cycles, "without --sweep, --compare or --protocol discharge")
        return run_cycles(args, stack, design, cycles, c_rate)
    kw = dict(model=args.pybamm_model or "DFN", protocol=args.protocol)
    result = simulate(design, c_rate, **kw)
    out = result.to_dict()
    extra, labels = [], [f"{stack.name}: {result.discharge_capacity_mAh_g:.0f} mAh/g"]
    if sweep is not None:
        layer, values = sweep
        rows = []
        for L in values:
            d_L = FullCellDesign.from_stack(stack.with_layer(layer, thickness=L), vmin=design.vmin, vmax=design.vmax,
                                            anode=anode)
            r = simulate(d_L, c_rate, **kw)
            extra.append(r)
            labels.append(f"{layer} {to_unit(L, 'um'):.4g} um: {r.discharge_capacity_mAh_g:.0f} mAh/g")
            rows.append({"layer": layer, "thickness_m": L, "capacity_mAh_g": r.discharge_capacity_mAh_g,
                         "mean_voltage_V": r.mean_discharge_voltage_V,
                         "series_resistance_ohm": r.series_resistance_ohm})
        out["sweep"] = rows
    if others:
        rows = []
        for st in others:
            r = simulate(FullCellDesign.from_stack(st, vmin=design.vmin, vmax=design.vmax, anode=anode), c_rate, **kw)
            extra.append(r)
            labels.append(f"{st.name}: {r.discharge_capacity_mAh_g:.0f} mAh/g")
            rows.append({"model": st.name, "capacity_mAh_g": r.discharge_capacity_mAh_g,
                         "mean_voltage_V": r.mean_discharge_voltage_V,
                         "series_resistance_ohm": r.series_resistance_ohm,
                         "self_discharge_A": r.self_discharge_A})
        out["compare"] = rows
    if args.plot:
        from ..fullcell.plot import voltage_capacity_plot

        fig = voltage_capacity_plot([result] + extra, args.plot, labels=labels,
                                    title=f"{stack.title or stack.name}, {c_rate:g} C, {design.vmin:g}-{design.vmax:g} V "
                                          "(dashed: charge)")
        import matplotlib.pyplot as plt

        plt.close(fig)
        out["plot"] = args.plot
    if args.json:
        print_json(out)
        return 0
    d = design
    print(f"{stack.title or stack.name}: {c_rate:g} C = {to_unit(result.current_A / d.area, 'mA/cm2'):.4g} mA/cm2 "
          f"({result.current_A * 1e3:.4g} mA), {d.vmin:g}-{d.vmax:g} V, {d.temperature - 273.15:.1f} degC, "
          f"PyBaMM {result.model} ({result.protocol})")
    rows = [
        ["charge capacity", out["charge_capacity_mAh_g"], "mAh/g"],
        ["discharge capacity", out["capacity_mAh_g"], "mAh/g"],
        ["discharge capacity", result.discharge_areal_capacity_mAh_cm2, "mAh/cm2"],
        ["mean discharge voltage", out["mean_voltage_V"], "V"],
        ["OCV capacity (pristine to vmax)", out["ocv_capacity_mAh_g"], "mAh/g"],
        ["cathode capacity (7.4x0.9x210 rule)", mAh_cm2(d.cathode.areal_capacity), "mAh/cm2"],
        ["anode Li inventory", mAh_cm2(d.anode_capacity), "mAh/cm2"],
        ["N/P = Q_a/Q_c", out["n_p_ratio"], "-"],
        ["N/P seed convention (Q_a+Q_c)/Q_c", out["n_p_ratio_seed_convention"], "-"],
        ["separator (polymer layers)", to_unit(d.sandwich.thickness, "um"), "um"],
        ["series resistance", to_unit(result.series_resistance_ohm * d.area, "ohm cm2"), "ohm cm2"],
        ["electronic resistance", out["electronic_resistance_ohm"], "ohm"],
        ["self-discharge current at vmax", out["self_discharge_A"] * 1e6, "uA"],
        ["capacity loss per day", 100 * out["capacity_loss_per_day"], "%/day"],
    ]
    print(format_table(["quantity", "value", "unit"], rows))
    from ..fullcell.cycling import LITHIATION_LIMIT

    for st in result.steps:
        if LITHIATION_LIMIT in st.termination:
            print(f"note: the {st.name} ended at {st.voltage_V[-1]:.3f} V with the cathode back at its pristine "
                  f"lithiation (x = {result.matched['x_pristine']:g}), before {d.vmin:g} V: no Li beyond the "
                  "pristine state is inserted, so the first-cycle efficiency is at most 100 %")
        elif "experiment" not in st.termination:
            print(f"note: the {st.name} step ended on its time limit ({st.termination}), not on a voltage limit")
    if "sweep" in out:
        print()
        print(format_table([f"{sweep[0]} [um]", "capacity [mAh/g]", "mean V [V]", "R_s [ohm cm2]"],
                           [[to_unit(r["thickness_m"], "um"), r["capacity_mAh_g"], r["mean_voltage_V"],
                             to_unit(r["series_resistance_ohm"] * d.area, "ohm cm2")] for r in out["sweep"]]))
    if "compare" in out:
        print()
        print(format_table(["model", "capacity [mAh/g]", "mean V [V]", "R_s [ohm cm2]", "I_sd [uA]"],
                           [[r["model"], r["capacity_mAh_g"], r["mean_voltage_V"],
                             to_unit(r["series_resistance_ohm"] * d.area, "ohm cm2"), r["self_discharge_A"] * 1e6]
                            for r in out["compare"]]))
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
