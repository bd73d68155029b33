"""``cellsim cycle MODEL --current J --step-time T``: lifetime of a symmetric cell under long cycling."""

from __future__ import annotations

from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json

MA_CM2 = 10.0


def register(sub):
    p = sub.add_parser("cycle", help="lifetime of a symmetric Li cell under galvanostatic cycling (Table S3)",
                       description="Cycles a Li | polymer (| LIC | polymer) | Li cell at +J / -J for --step-time each "
                                   "with the transport model and the slow mechanisms (SEI growth, dead Li and the "
                                   "deposit front's ratchet, Sand dendrites, reduction interphase of the middle "
                                   "layer, cracks) until --until or its failure: a short or |V| above --voltage-limit.")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    p.add_argument("--current", required=True, metavar="J", help="current density, e.g. '0.5 mA/cm2'")
    p.add_argument("--step-time", required=True, metavar="T", help="duration of each half cycle, e.g. '1 h'")
    p.add_argument("--until", default="10000 h", metavar="DURATION", help="longest time to cycle (default 10000 h)")
    p.add_argument("--voltage-limit", metavar="V", default=None,
                   help="|V| that ends the life (default: voltage_limit of parameters/shortcircuit.toml, 5 V)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[],
                   help="override a parameter of parameters/lifetime.toml (SI or with units), e.g. "
                        "--set inactive_fraction=0.02 or --set sei_ionic_conductivity=1e-9S/cm")
    p.add_argument("--full", action="store_true", help="simulate every cycle instead of compressing time")
    p.add_argument("--plot", metavar="FILE.png", help="Figs. S14/S16-style plot: voltage and slow state vs time")
    p.add_argument("--interval", type=int, metavar="N", default=None,
                   help="also give the 5/50/95 %% quantiles of the lifetime over the parameter ranges from N samples "
                        "(model, shortcircuit and lifetime files; k_SEI re-fitted per sample to the seed's 2500 h "
                        "for li-uvea-latp-uvea-li); JSON keys lifetime_h_q05/_q50/_q95")
    p.add_argument("--processes", type=int, metavar="N", default=None, help="--interval: run the samples in N "
                                                                            "local processes")
    p.add_argument("--seed", type=int, default=0, help="--interval: seed of the Sobol' design (default 0)")
    add_cell_flag(p, conditions=True)
    add_json_flag(p)
    return p


def _parse(args):
    from ..units import parse_quantity

    j = parse_quantity(args.current, "current_density", "--current")
    t = parse_quantity(args.step_time, "time", "--step-time")
    until = parse_quantity(args.until, "time", "--until")
    vlim = None if args.voltage_limit is None else parse_quantity(args.voltage_limit, "voltage", "--voltage-limit")
    return j, t, until, vlim


def _parse_set(items):
    from ..errors import InputError
    from ..lifetime.parameters import PARAMETERS
    from ..units import parse_quantity

    out = {}
    for it in items:
        name, eq, text = it.partition("=")
        name = name.strip()
        if not eq:
            raise InputError("--set", it, "NAME=VALUE, e.g. inactive_fraction=0.02")
        if name not in PARAMETERS:
            raise InputError("--set", name, "one of " + ", ".join(PARAMETERS))
        try:
            out[name] = float(text)
        except ValueError:
            out[name] = parse_quantity(text, PARAMETERS[name][2], f"--set {name}")
    return out


def _seed_text(seed, res) -> str:
    pred = "survives" if res.lifetime is None else f"{res.lifetime / 3600:.4g} h"
    return (f"seed Table S3: {seed.lifetime / 3600:g} h ({seed.role}"
            + ("; it calibrates sei_growth_constant" if seed.role == "calibration" else "; cellsim predicts "
               + pred + (f" (> {res.until / 3600:g} h)" if res.lifetime is None else "")) + ")")


def _interval(args, stack, j, t, until, vlim, changed):
    """The ``lifetime_h_q05/_q50/_q95`` keys of ``--interval N`` (None without it)."""
    if args.interval is None:
        return None
    from ..lifetime.interval import interval_keys, lifetime_interval

    ex = {"executor": "processes", "workers": args.processes} if args.processes else {"executor": "inprocess"}
    res = lifetime_interval(stack, args.model, j, t, until, voltage_limit=vlim, samples=args.interval,
                            seed=args.seed, overridden=changed, **ex)
    return interval_keys(res)


def _interval_text(iv) -> str:
    def h(key):
        v = iv[key]
        flag = iv["lifetime_interval"]["censored"][{"lifetime_h_q05": "q05", "lifetime_h_q50": "median",
                                                     "lifetime_h_q95": "q95"}[key]]
        return "-" if v is None else (">" if flag else "") + f"{v:.4g}"

    info = iv["lifetime_interval"]
    return (f"{h('lifetime_h_q05')} / {h('lifetime_h_q50')} / {h('lifetime_h_q95')} h from {info['samples']} samples"
            + (f" ({info['n_failed']} rejected or failed)" if info["n_failed"] else "")
            + (f", {info['n_censored']} survived --until" if info["n_censored"] else "") + "; " + info["calibration"])


def run(args) -> int:
    from ..lifetime import load_lifetime_parameters, run_cycle
    from ..lifetime.seed import seed_lifetime

    stack = load_cell(args)
    j, t, until, vlim = _parse(args)
    lt = load_lifetime_parameters()
    sets = _parse_set(args.set)
    if sets:
        lt = lt.with_values(**sets)
    changed = args.cell or args.temperature or args.pressure or sets
    interval = _interval(args, stack, j, t, until, vlim, bool(changed))
    res = run_cycle(stack, j, t, until, voltage_limit=vlim, parameters=lt, compress=not args.full)
    seed = None if changed else seed_lifetime(stack.name, j, t)
    if args.plot:
        from ..lifetime.plot import plot_cycle

        plot_cycle(res, args.plot, title=f"{stack.title or stack.name}: {j / MA_CM2:g} mA/cm2, {t / 3600:g} h steps")
    if args.json:
        out = {"model": stack.name, **res.to_dict(), **(interval or {})}
        out["seed"] = None if seed is None else {"lifetime_h": seed.lifetime / 3600, "role": seed.role,
                                                 "cumulative_capacity_mAh_cm2": seed.cumulative_capacity / 36000,
                                                 "source": seed.source}
        print_json(out)
        return 0
    print(f"{stack.title or stack.name}: {j / MA_CM2:g} mA/cm2, {t / 3600:g} h per half cycle, until {until / 3600:g} h")
    print(f"  at {stack.temperature - 273.15:.4g} degC and {stack.pressure / 1e6:.4g} MPa stack pressure")
    life = f"> {until / 3600:g} h (survived)" if res.lifetime is None else f"{res.lifetime / 3600:.5g} h"
    rows = [["lifetime", life], ["failure", res.failure or "-"], ["how", res.failure_detail],
            ["cumulative capacity", f"{res.cumulative_capacity / 36000:.5g} mAh/cm2"],
            ["cycles (simulated)", f"{res.cycles:g} ({res.simulated_cycles})"],
            ["SEI + dead-Li ASR at the end", f"{res.slow_asr[-1] * 1e4:.4g} ohm cm2"],
            ["deposit fronts at the end", f"{res.front_left[-1] * 1e6:.3g} / {res.front_right[-1] * 1e6:.3g} um"]]
    if interval is not None:
        rows.append(["lifetime 5 / 50 / 95 %", _interval_text(interval)])
    if seed is not None:
        rows.append(["the seed reports", _seed_text(seed, res)])
    for k, v in rows:
        print(f"  {k:<30s} {v}")
    for e in res.events:
        if e["kind"] not in ("voltage_limit", "hard_short", "soft_short", "li_exhausted"):
            print(f"  event at {e['time_s'] / 3600:.4g} h: {e['kind']} {e.get('detail', '')}")
    prow = [[k, f"{getattr(lt, k):.4g}", lt.status(k)] for k in ("sei_growth_constant", "sei_activation_energy",
                                                              "sei_initial_thickness", "sei_ionic_conductivity",
                                                              "inactive_fraction", "dead_li_porosity", "front_focusing")]
    print(format_table(["parameter (parameters/lifetime.toml)", "value [SI]", "status"], prow))
    print("calibrated = fitted to the one seed number its source names (2500 h at 0.5 mA/cm2); every other lifetime "
          "is a prediction.")
    return 0
