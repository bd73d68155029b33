"""``cellsim validate MODEL DATA``: model vs measurement (fit the stack's uncertain parameters)."""

from __future__ import annotations

from ._common import (add_cell_flag, add_columns_flag, add_json_flag, band_line, band_used, format_table, frequency_arg,
                      load_cell, parse_temperature, print_json)
from ._decimation import add_max_points, decimate


def register(sub):
    p = sub.add_parser("validate", help="compare a cell model with a measured spectrum and fit its uncertain "
                                        "parameters",
                       description="Composes MODEL's equivalent circuit, fits the parameters whose sources are "
                                   "estimates/assumptions/calibrations (interfaces, layer conductivities) while "
                                   "the others keep their sourced values, and reports physical quantities with "
                                   "standard errors, the residuals and the lin-KK test of the data.")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    p.add_argument("data", help="impedance file")
    p.add_argument("--loop", type=int, default=0, help="loop of a multi-loop file (0-based, default 0)")
    p.add_argument("--fit", metavar="NAMES", help="override: comma-separated circuit parameters to fit")
    p.add_argument("--no-tie", action="store_true", help="do not tie the identical interfaces of symmetric cells")
    p.add_argument("--weight", default="modulus", choices=("modulus", "proportional", "unit"))
    p.add_argument("--fmin", default=None, help="lowest frequency fitted")
    p.add_argument("--fmax", default=None, help="highest frequency fitted")
    p.add_argument("--temperature", metavar="T", help="measurement temperature, e.g. '60 degC' "
                                                      "(same as --cell temperature=T)")
    add_cell_flag(p)
    p.add_argument("--plot", metavar="FILE.png", help="overlay plot: data, model, fit")
    add_columns_flag(p)
    add_max_points(p)
    p.add_argument("--posterior", metavar="FILE.json", help="write the fitted physical parameters' joint "
                   "distribution (mean, covariance) for cellsim uncertainty --from")
    p.add_argument("--mcmc", action="store_true", help="with --posterior: sample it with an emcee chain "
                   "(diagnostics: acceptance, autocorrelation time, effective samples) instead of the CNLS covariance")
    p.add_argument("--mcmc-steps", type=int, default=6000, help="steps per walker of --mcmc (default 6000, a quarter discarded as burn-in)")
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..fitting.validate import validate_model
    from .cmd_read import load

    stack = load_cell(args)
    spec = load(args.data, args.loop, args.columns)[0]
    f, z, dec = decimate(spec, args.max_points)
    if dec.decimated:
        from ..data import Spectrum

        spec = Spectrum(f, z, metadata=spec.metadata, source=spec.source, loop=spec.loop, format=spec.format)
    names = [s.strip() for s in args.fit.split(",") if s.strip()] if args.fit else None
    fmin, fmax = frequency_arg(args.fmin, "--fmin"), frequency_arg(args.fmax, "--fmax")
    v = validate_model(stack, spec, fit_parameters=names, tie_symmetric=not args.no_tie, weight=args.weight,
                       fmin=fmin, fmax=fmax)
    band = band_used(spec.frequency, v.frequency, fmin, fmax)
    res = v.fit
    quantities = [{"quantity": q["quantity"], "where": q["where"], "parameter": q["parameter"], "tied": q["tied"],
                   q["key"]: q["value"], "value": q["value"], "stderr": q["stderr"], "model_value": q["model_value"],
                   "unit": q["unit"]} for q in v.quantities]
    result = {"model": stack.name, "data": str(args.data), "loop": spec.loop, "circuit": str(v.circuit),
              "success": res.success, "message": res.message, "fitted": v.fitted, "ties": v.ties,
              "quantities": quantities,
              "parameters": {n: {"value": float(x), "stderr": float(e), "fitted": n in v.fitted,
                                 "model_value": v.model_parameters[n]}
                             for n, x, e in zip(res.names, res.values, res.stderr)},
              "weighted_ssr": res.weighted_ssr, "model_weighted_ssr": v.model_weighted_ssr,
              "reduced_chi2": res.reduced_chi2, "n_points": res.n_points, "band": band, "decimation": dec.as_dict(),
              "kk": {"n_rc": v.kk.n_rc, "max_abs_residual": v.kk.max_abs_residual, "passed": v.kk.passed},
              "frequency_Hz": v.frequency, "residuals_real": (v.z - v.z_fit).real / abs(v.z),
              "residuals_imag": (v.z - v.z_fit).imag / abs(v.z)}
    if args.mcmc and not args.posterior:
        from ..errors import InputError

        raise InputError("--mcmc", True, "--posterior FILE.json to write the chain's distribution to")
    if args.posterior:
        from ..uncertainty.posterior import posterior_from_validation, posterior_mcmc

        post = (posterior_mcmc(v, str(args.data), stack.name, n_steps=args.mcmc_steps) if args.mcmc
                else posterior_from_validation(v, str(args.data), stack.name))
        post.write(args.posterior)
        result["posterior"] = {"file": args.posterior, **post.describe(), "mcmc": dict(post.mcmc) or None}
    if args.plot:
        import matplotlib.pyplot as plt

        fig = v.plot(args.plot, title=f"{stack.name} vs {args.data}")
        plt.close(fig)
        result["plot"] = args.plot
    if args.json:
        print_json(result)
        return 0
    if dec.decimated:
        print(dec.message)
    print(f"{stack.name} vs {args.data} (loop {spec.loop}): {v.circuit}")
    print(band_line(band))
    print(f"fitted {', '.join(v.fitted)}" + (f"; tied {v.ties}" if v.ties else ""))
    print(f"success: {res.success} ({res.message})")
    rows = [[q["quantity"], q["where"], q["lab_model_value"], q["lab_value"], q["lab_stderr"], q["lab_unit"] or "-"]
            for q in v.quantities]
    print(format_table(["quantity", "where", "model", "fitted", "stderr", "unit"], rows))
    print(f"weighted SSR {res.weighted_ssr:.5g} (model with sourced values: {v.model_weighted_ssr:.5g}), "
          f"{res.n_points} points")
    print(f"lin-KK of the data: {v.kk.n_rc} RC, max |residual| {100 * v.kk.max_abs_residual:.3g} % of |Z| "
          f"({'passed' if v.kk.passed else 'flagged'})")
    if args.plot:
        print(f"wrote {args.plot}")
    if args.posterior:
        d = result["posterior"]
        print(f"posterior ({d['method']}) of {', '.join(d['names'])} written to {args.posterior}")
        if d["mcmc"]:
            m = d["mcmc"]
            print(f"  emcee: {m['n_walkers']} walkers x {m['n_steps']} steps (burn {m['burn']}), acceptance "
                  f"{m['acceptance_fraction']:.2f}, max autocorrelation time "
                  f"{max(m['autocorr_time'].values()):.1f}, {m['effective_samples']:.0f} effective samples"
                  f"{'' if m['converged'] else ' (chain shorter than 50 tau: not converged)'}")
    return 0
