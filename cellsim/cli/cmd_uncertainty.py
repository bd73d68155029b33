"""``cellsim uncertainty MODEL --output NAME``: an output with its interval from the parameter ranges."""

from __future__ import annotations

from ._common import add_json_flag, format_table, print_json
from ._protocol import add_executor_flags, add_protocol_flags, executor_kwargs, protocol_options

OUTPUT_NAMES = ("ccd", "asr", "dcr", "bulk_resistance", "z_at")
_TARGET_DIMENSION = {"ccd": "current_density", "asr": "area_resistance", "dcr": "resistance",
                     "bulk_resistance": "resistance", "z_at": "resistance"}


def register(sub):
    p = sub.add_parser("uncertainty", help="propagate the parameter ranges to an output: median and 90 % interval",
                       description="Samples every parameter that carries a range in the parameter and model files "
                                   "(quasi-Monte-Carlo: scrambled Sobol' or Latin hypercube), evaluates the output "
                                   "for each sample through the sweep machinery and prints the median, the 5 % and "
                                   "95 % quantiles with bootstrap standard errors and, with --target, the "
                                   "probability of reaching it. A CCD sample without a short within the protocol is "
                                   "censored at --stop (it counts as exceeding any target up to --stop).")
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
    add_protocol_flags(p)
    add_executor_flags(p)
    add_json_flag(p)
    return p


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

    opts = protocol_options(args)
    f = frequency_arg(args.frequency, "--frequency")
    if f is not None:
        opts["frequency"] = f
    return opts


def run(args) -> int:
    from ..uncertainty.outputs import OUTPUTS
    from ..uncertainty.propagate import propagate

    posterior = None
    if args.posterior:
        from ..uncertainty.posterior import Posterior

        posterior = Posterior.read(args.posterior)
    res = propagate(args.model, args.output, samples=args.samples, seed=args.seed, method=args.method,
                    options=model_options(args), target=target_value(args.target, args.output), posterior=posterior,
                    out=args.out, resume=args.resume, **executor_kwargs(args))
    res["model"] = args.model
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
        print(f"{res['n_censored']} samples did not short within the protocol (censored at --stop)")
    if "p_exceeds" in res:
        print(f"P({args.output} >= {res['target'] * factor:g} {lab}) = {res['p_exceeds']:.3f} "
              f"+- {res['p_exceeds_stderr']:.3f}")
    if res["posterior"]:
        print(f"from the posterior: {', '.join(res['posterior']['names'])}")
    if res["results"]:
        print(f"samples stored in {res['results']}")
    return 0
