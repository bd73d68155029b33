"""``cellsim uncertainty MODEL --output NAME``: an output with its interval from the parameter ranges."""

from __future__ import annotations

from ._common import add_json_flag, format_table, print_json
from ._protocol import (add_cycle_flags, add_executor_flags, add_protocol_flags, executor_kwargs, lifetime_study,
                        protocol_options, refuse_cycle_flags)

OUTPUT_NAMES = ("ccd", "asr", "dcr", "bulk_resistance", "z_at", "lifetime")
_TARGET_DIMENSION = {"ccd": "current_density", "asr": "area_resistance", "dcr": "resistance",
                     "bulk_resistance": "resistance", "z_at": "resistance",
                     "lifetime": "time"}


def register(sub):
    p = sub.add_parser("uncertainty", help="propagate the parameter ranges to an output: median and 90 %% interval",
                       description="Samples every parameter that carries a range in the parameter and model files "
                                   "(quasi-Monte-Carlo: scrambled Sobol' or Latin hypercube), evaluates the output "
                                   "for each sample through the sweep machinery and prints the median, the 5 % and "
                                   "95 % quantiles with bootstrap standard errors and, with --target, the "
                                   "probability of reaching it. A CCD sample without a short within the protocol is "
                                   "censored at --stop (it counts as exceeding any target up to --stop); a lifetime "
                                   "sample that survives --until is censored there. --output lifetime cycles each "
                                   "sample as cellsim cycle (--current, --step-time, --until); for the shipped "
                                   "model the seed's 2500 h calibrates, sei_growth_constant is re-fitted to it in "
                                   "every sample.")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    p.add_argument("--output", required=True, choices=OUTPUT_NAMES, help="what to predict")
    p.add_argument("--frequency", metavar="F", help="z_at: frequency of |Z|, e.g. '1 kHz'")
    p.add_argument("--samples", type=int, default=64, help="number of samples (default 64)")
    p.add_argument("--seed", type=int, default=0, help="seed of the design (default 0)")
    p.add_argument("--method", choices=("sobol", "lhs"), default="sobol", help="design: scrambled Sobol' or "
                                                                                 "Latin hypercube")
    p.add_argument("--target", metavar="VALUE", help="report P(output >= VALUE), e.g. '5 mA/cm2'")
    p.add_argument("--from", dest="posterior", metavar="FILE.json",
                   help="a posterior written by cellsim validate --posterior: its parameters are drawn jointly from "
                        "it, the others from their ranges")
    p.add_argument("--at", metavar="AXIS=VALUE", action="append", default=[],
                   help="MODEL a sweep spec (e.g. lic-screening): only its points with this axis value, e.g. "
                        "--at uvea_thickness=100um --at temperature=22degC; each point gets its interval")
    add_protocol_flags(p)
    add_cycle_flags(p)
    add_executor_flags(p)
    add_json_flag(p)
    return p


def _spec_or_none(name):
    """The sweep spec MODEL names (a shipped spec or a TOML file with a [sweep] table), else None."""
    from pathlib import Path

    from ..errors import NotFoundError
    from ..models import model_files

    p = Path(name)
    if p.is_file():
        from ..paths import read_toml

        if "sweep" not in read_toml(p):
            return None
    elif p.name.removesuffix(".toml").lower() in model_files():
        return None
    from ..sweeps.spec import load_spec, resolve_spec

    try:
        resolve_spec(name)
    except NotFoundError:
        return None
    return load_spec(name)


def _at(items, spec) -> dict:
    from ..errors import InputError
    from ..units import parse_quantity

    axes = {a.name: a for a in spec.axes}
    out = {}
    for it in items:
        name, sep, text = it.partition("=")
        name = name.strip()
        if not sep or name not in axes or axes[name].is_material:
            raise InputError("--at", it, "AXIS=VALUE with a numeric axis of the spec: " +
                             ", ".join(a.name for a in spec.axes if not a.is_material))
        dim = axes[name].dimension
        try:
            out[name] = float(text)
        except ValueError:
            out[name] = parse_quantity(text, dim, f"--at {name}")
    return out


def _run_screening(args, spec) -> int:
    from ..uncertainty.outputs import OUTPUTS
    from ..uncertainty.screening import screen_with_intervals

    at = _at(args.at, spec)
    if not at and spec.name == "lic-screening":
        at = {"uvea_thickness": 100e-6, "temperature": 295.15}  # the seed's sandwich as modelled
    res = screen_with_intervals(spec, args.output, at=at, samples=args.samples, seed=args.seed, method=args.method,
                                options=model_options(args), target=target_value(args.target, args.output),
                                **executor_kwargs(args))
    if args.json:
        print_json(res)
        return 0
    _, _, lab, factor = OUTPUTS[args.output]
    print(f"{spec.name}: {args.output} per point at {at or 'every point'}, {args.samples} samples each "
          f"({args.method}, seed {args.seed}), ranked by median")
    rows = []
    for r in res["rows"]:
        if not r.get("samples"):
            rows.append([r["label"], None, None, None, None, "failed: " + str(r.get("error", ""))[:60]])
            continue
        cens = " (>)" if r["censored"]["q95"] else ""
        rows.append([r["label"], r["q05"] * factor, r["median"] * factor, f"{r['q95'] * factor:.4g}{cens}",
                     r.get("p_exceeds"), ", ".join(r["cannot_be_told_apart_from"]) or "-"])
    p_head = f"P(>= {res['target'] * factor:g})" if res["target"] is not None else "P(>= target)"
    print(format_table(["point", f"q05 [{lab}]", f"median [{lab}]", f"q95 [{lab}]", p_head,
                        "cannot be told apart from"], rows))
    print("cannot be told apart: 90 % intervals sharing at least half of the narrower one; (>) = censored at --stop")
    return 0


def target_value(text, output: str, flag: str = "--target"):
    """A target in the output's dimension; a bare number is SI."""
    if text is None:
        return None
    from ..units import parse_quantity

    try:
        return float(text)
    except ValueError:
        return parse_quantity(text, _TARGET_DIMENSION[output], flag)


def model_options(args) -> dict:
    from ._common import frequency_arg

    refuse_cycle_flags(args)
    opts = protocol_options(args)
    f = frequency_arg(args.frequency, "--frequency")
    if f is not None:
        opts["frequency"] = f
    return opts


def run(args) -> int:
    from ..uncertainty.outputs import OUTPUTS
    from ..uncertainty.propagate import propagate

    spec = _spec_or_none(args.model)
    if spec is not None:
        if args.output == "lifetime":
            from ..errors import InputError

            raise InputError("--output lifetime", args.model, "a model (not a sweep spec): cellsim uncertainty MODEL "
                             "--output lifetime --current J --step-time T")
        if args.posterior or args.out:
            from ..errors import InputError

            raise InputError("--from/--out", args.posterior or args.out, "a model (not a sweep spec) for these flags")
        return _run_screening(args, spec)
    if args.at:
        from ..errors import InputError

        raise InputError("--at", args.at, "a sweep spec as MODEL (e.g. lic-screening)")
    posterior = None
    if args.posterior:
        from ..uncertainty.posterior import Posterior

        posterior = Posterior.read(args.posterior)
    options, space = lifetime_study(args) if args.output == "lifetime" else (model_options(args), None)
    res = propagate(args.model, args.output, samples=args.samples, seed=args.seed, method=args.method,
                    options=options, target=target_value(args.target, args.output), posterior=posterior,
                    out=args.out, resume=args.resume, space=space, **executor_kwargs(args))
    res["model"] = args.model
    if args.output == "lifetime":
        from ..lifetime.interval import calibration_text

        res["calibration"] = calibration_text(options)
    if args.json:
        print_json(res)
        return 0
    _, si, lab, factor = OUTPUTS[args.output]
    print(f"{args.model}: {args.output} from {res['samples']} samples ({res['method']}, seed {res['seed']}) over "
          f"{len(res['parameters'])} uncertain parameters" + (f", {res['n_failed']} failed" if res["n_failed"] else ""))
    rows = []
    for key in ("q05", "median", "q95"):
        flag = " (lower bound: censored)" if res["censored"][key] else ""
        rows.append([key, res[key] * factor, res[f"{key}_stderr"] * factor, lab + flag])
    print(format_table(["quantile", "value", "bootstrap stderr", "unit"], rows))
    if res["n_censored"]:
        print(f"{res['n_censored']} samples did not short within the protocol (censored at --stop)"
              if args.output != "lifetime" else f"{res['n_censored']} samples survived --until (censored there)")
    if res.get("calibration"):
        print(f"calibration: {res['calibration']}")
    if "p_exceeds" in res:
        print(f"P({args.output} >= {res['target'] * factor:g} {lab}) = {res['p_exceeds']:.3f} "
              f"+- {res['p_exceeds_stderr']:.3f}")
    if res["posterior"]:
        print(f"from the posterior: {', '.join(res['posterior']['names'])}")
    if res["results"]:
        print(f"samples stored in {res['results']}")
    return 0
