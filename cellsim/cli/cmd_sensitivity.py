"""``cellsim sensitivity MODEL --output NAME``: which uncertain parameters drive an output (Sobol', Morris)."""

from __future__ import annotations

from ._common import add_json_flag, format_table, print_json
from ._protocol import add_cycle_flags, add_executor_flags, add_protocol_flags, executor_kwargs, lifetime_study


def register(sub):
    from .cmd_uncertainty import OUTPUT_NAMES

    p = sub.add_parser("sensitivity", help="Sobol' or Morris sensitivity of an output to the parameter ranges",
                       description="First-order and total Sobol' indices with 95 %% confidence (SALib, N (D + 2) "
                                   "runs for N base samples) or Morris mu*/sigma (N trajectories), over every "
                                   "parameter with a range. --screen first runs 8 Morris trajectories and holds "
                                   "the parameters none of whose elementary effects moves the output (indices 0, "
                                   "listed as inactive): cheaper, but a heuristic.")
    p.add_argument("model", help="model name or path to a model TOML")
    p.add_argument("--output", required=True, choices=OUTPUT_NAMES, help="the output analysed")
    p.add_argument("--frequency", metavar="F", help="z_at: frequency of |Z|, e.g. '1 kHz'")
    p.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    p.add_argument("--samples", type=int, default=64, help="Sobol' base samples or Morris trajectories (default 64)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--screen", action="store_true", help="screen out parameters without effect first (8 Morris "
                                                            "trajectories; a heuristic, off by default)")
    add_protocol_flags(p)
    add_cycle_flags(p)
    add_executor_flags(p)
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..uncertainty.sensitivity import sensitivity
    from .cmd_uncertainty import model_options

    options, space = lifetime_study(args) if args.output == "lifetime" else (model_options(args), None)
    res = sensitivity(args.model, args.output, method=args.method, samples=args.samples, seed=args.seed,
                      options=options, screening=args.screen, out=args.out, resume=args.resume, space=space,
                      **executor_kwargs(args))
    res["model"] = args.model
    if args.json:
        print_json(res)
        return 0
    print(f"{args.model}: {args.method} sensitivity of {args.output} ({res['runs']} runs + "
          f"{res['screening_runs']} screening runs; {len(res['inactive'])} inactive parameters)")
    if args.method == "sobol":
        rows = [[n, res["S1"][n], res["S1_conf"][n], res["ST"][n], res["ST_conf"][n]] for n in res["ranking"]]
        print(format_table(["parameter", "S1", "+-", "ST", "+-"], rows, ".3f"))
    else:
        rows = [[n, res["mu_star"][n], res["mu_star_conf"][n], res["sigma"][n]] for n in res["ranking"]]
        print(format_table(["parameter", "mu*", "+-", "sigma"], rows, ".4g"))
    if res["inactive"]:
        print("inactive (no effect at either end of the range): " + ", ".join(res["inactive"]))
    return 0
