"""``cellsim ccd MODEL``: critical current density under a step-up protocol."""

from __future__ import annotations


from ..errors import InputError
from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json
from ._protocol import add_protocol_flags

MA_CM2 = 10.0


def register(sub):
    p = sub.add_parser("ccd", help="step-up critical current density: when and how a stack shorts",
                       description="Simulates plating/stripping at step-up current densities (plate +J, strip -J "
                                   "per step) with the transport model, tracks dendrites and paths through the "
                                   "middle layer, and reports the critical current density and its mechanism.")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    add_protocol_flags(p, required=True, prefix="")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[],
                   help="override a short-circuit parameter (SI or with units), e.g. --set dead_fraction=0.5")
    p.add_argument("--calibrate", metavar="NAME", help="fit this short-circuit parameter to --target")
    p.add_argument("--target", metavar="J", help="measured CCD for --calibrate, e.g. '9 mA/cm2'")
    p.add_argument("--bounds", metavar="LOW,HIGH", help="bracket of the calibrated parameter (SI)")
    p.add_argument("--data", metavar="FILE", help="a measured step-up trace (NEWARE, BioLogic, CSV) to analyse "
                                                  "and overlay")
    p.add_argument("--plot", metavar="FILE.png", help="voltage trace and front depths")
    add_cell_flag(p, conditions=True)
    add_json_flag(p)
    return p


def _parse_set(items):
    from ..shortcircuit.ccd import _PARAMS
    from ..units import parse_quantity

    out = {}
    for it in items:
        if "=" not in it:
            raise InputError("--set", it, "NAME=VALUE, e.g. dead_fraction=0.5")
        name, _, text = it.partition("=")
        name = name.strip()
        if name not in _PARAMS:
            raise InputError("--set", name, "one of " + ", ".join(_PARAMS))
        dim = _PARAMS[name][3]
        try:
            out[name] = float(text)
        except ValueError:
            out[name] = parse_quantity(text, dim, f"--set {name}")
    return out


def _margin_rows(res):
    from ..shortcircuit.margins import MECHANISMS

    rows = []
    for k in MECHANISMS:
        m = res.margins.get(k)
        o = res.onsets.get(k)
        rows.append([k.replace("_", " "), "-" if m is None else f"{m / MA_CM2:g}",
                     "-" if o is None else f"{o / MA_CM2:.4g}"])
    return rows


def run(args) -> int:
    from ..shortcircuit.ccd import StepUpProtocol, calibrate, load_parameters, run_ccd

    stack = load_cell(args)
    proto = StepUpProtocol.parse(start=args.start, increment=args.increment, stop=args.stop,
                                 step_time=args.step_time, step_capacity=args.step_capacity, rest=args.rest)
    prm = load_parameters()
    sets = _parse_set(args.set)
    if sets:
        prm = prm.with_values(**sets)
    cal = None
    if args.calibrate:
        if not args.target or not args.bounds:
            raise InputError("--calibrate", args.calibrate, "--target J and --bounds LOW,HIGH as well")
        from ..units import parse_quantity

        target = parse_quantity(args.target, "current_density", "--target")
        try:
            low, high = (float(x) for x in args.bounds.split(","))
        except ValueError:
            raise InputError("--bounds", args.bounds, "two numbers LOW,HIGH (SI)") from None
        cal = calibrate(stack, proto, args.calibrate, target, low, high, parameters=prm)
        prm = prm.with_values(**{args.calibrate: cal.value})
        prm.sources[args.calibrate] = (f"calibrated by cellsim ccd --calibrate to a CCD of "
                                       f"{target / MA_CM2:g} mA/cm2 ({proto.describe()}) [calibrated]")
    res = run_ccd(stack, proto, prm)
    measured = onset = None
    if args.data:
        from ..shortcircuit import detect_short, read_trace

        measured = read_trace(args.data, area=stack.area)
        onset = detect_short(measured.time, measured.voltage, measured.current_density)
    if args.plot:
        from ..shortcircuit.plot import plot_ccd

        plot_ccd(res, args.plot, measured=measured, title=f"{stack.title or stack.name}: {proto.describe()}")
    statuses = {k: v.rsplit("[", 1)[-1].rstrip("]") if "[" in v else "?" for k, v in prm.sources.items()}
    if args.json:
        out = {"model": stack.name, **res.to_dict(), "time_s": res.time, "voltage_V": res.voltage,
               "current_density_A_m2": res.current_density, "parameter_status": statuses,
               "seed": dict(stack.seed).get("ccd")}
        if cal is not None:
            out["calibration"] = cal.to_dict()
        if onset is not None:
            out["measured"] = onset.to_dict()
        print_json(out)
        return 0
    print(f"{stack.title or stack.name}: {proto.describe()}")
    print(f"  at {stack.temperature - 273.15:.4g} degC and {stack.pressure / 1e6:.4g} MPa stack pressure")
    ccd = "no short within the protocol" if res.ccd is None else f"{res.ccd / MA_CM2:g} mA/cm2 ({res.kind})"
    rows = [["critical current density", ccd],
            ["highest fully survived", "-" if res.survived is None else f"{res.survived / MA_CM2:g} mA/cm2"],
            ["time of the short", "-" if res.short_time is None else f"{res.short_time / 3600:.4g} h"],
            ["mechanism", res.mechanism]]
    if stack.seed.get("ccd"):
        rows.append(["the seed reports", str(stack.seed["ccd"])])
    for k, v in rows:
        print(f"  {k:<26s} {v}")
    print()
    print("each mechanism alone (the protocol level at which it would trigger; '-' = none within the protocol):")
    print(format_table(["mechanism", "level [mA/cm2]", "threshold [mA/cm2]"], _margin_rows(res)))
    dep = res.depends_on_middle_layer
    print(f"depends on the middle layer: {'-' if dep is None else ('yes' if dep else 'no')}")
    for n in res.notes:
        print(f"  note: {n}")
    print()
    prow = [[k, getattr(prm, k), statuses.get(k, "?"), prm.sources.get(k, "")[:90]] for k in
            ("enhancement", "dead_fraction", "flaw_size", "flaw_weibull_modulus", "focusing", "contact_resistance",
             "contact_activation_energy", "void_reference_current", "void_spacing", "filament_fraction",
             "contact_fraction")]
    print(format_table(["parameter", "value [SI]", "status", "source"], prow))
    print("calibrated = fitted to the one measurement its source names; estimate/assumed = not fitted: the CCD "
          "above is a prediction unless every parameter it depends on is calibrated on this cell.")
    if cal is not None:
        print(f"calibration: {cal.parameter} = {cal.value:.6g} (bracket {cal.bracket[0]:.6g}..{cal.bracket[1]:.6g}, "
              f"{cal.evaluations} simulations) -> CCD "
              f"{'-' if cal.ccd is None else f'{cal.ccd / MA_CM2:g}'} mA/cm2 vs target {cal.target / MA_CM2:g}")
    if onset is not None:
        if onset.detected:
            print(f"measured ({args.data}): {onset.kind} short at {onset.time_s / 3600:.4g} h, "
                  f"{onset.current_density_A_m2 / MA_CM2:g} mA/cm2; survived "
                  f"{'-' if onset.survived_A_m2 is None else f'{onset.survived_A_m2 / MA_CM2:g}'} mA/cm2")
        else:
            print(f"measured ({args.data}): no short detected")
    return 0
