"""``cellsim fit DATA --circuit STR``: complex non-linear least-squares circuit fit."""

from __future__ import annotations


from ._common import add_json_flag, format_table, parse_pairs, parse_params
from ._spectrum_input import add_spectrum_flags, emit, load_spectrum


def register(sub):
    p = sub.add_parser("fit", help="fit an equivalent circuit to a measured spectrum (CNLS)",
                       description="Weighted complex non-linear least squares with automatic initial guesses and "
                                   "multi-start. Parameter names as in impedance.py (R0, CPE1_0, CPE1_1, ...).")
    p.add_argument("data", help="impedance file (.mpt, .mpr, .DTA, .z, .csv, .txt)")
    p.add_argument("--circuit", required=True, metavar="STR", help="circuit string, e.g. 'R0-p(R1,CPE1)'")
    p.add_argument("--guess", metavar="P0,P1,...", help="initial values in circuit order (SI), or NAME=VALUE pairs; "
                                                        "default: automatic from the data")
    p.add_argument("--fix", metavar="NAME=VAL,...", help="parameters held fixed (SI values)")
    p.add_argument("--weight", default="modulus", choices=("modulus", "proportional", "unit"),
                   help="weighting of the residuals (default modulus: sigma = |Z|)")
    add_spectrum_flags(p, "fitted")
    p.add_argument("--starts", type=int, default=6, help="number of optimiser starts (default 6)")
    p.add_argument("--plot", metavar="FILE.png", help="save a Nyquist plot of data and fit")
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..circuits import Circuit
    from ..fitting import fit
    circuit = Circuit(args.circuit)
    guess = None
    if args.guess:
        guess = parse_params(args.guess)
        if isinstance(guess, list) and len(guess) != circuit.n_params:
            from ..errors import InputError

            raise InputError("--guess", args.guess, f"{circuit.n_params} values for "
                             + ", ".join(circuit.parameter_names) + f", got {len(guess)}")
    fixed = parse_pairs(args.fix, "--fix") if args.fix else None
    if args.starts < 1:
        from ..errors import InputError

        raise InputError("--starts", args.starts, "an integer >= 1")
    spec, band, f, z, dec = load_spectrum(args)
    res = fit(circuit, f, z, guess=guess, fixed=fixed, weight=args.weight, n_starts=args.starts)
    result = {
        "data": str(args.data), "loop": spec.loop, "circuit": str(circuit), "success": res.success,
        "message": res.message, "weighting": res.weighting,
        "parameters": {n: {"value": float(v), "stderr": float(e), "fixed": bool(fx), "unit": u}
                       for n, v, e, fx, u in zip(res.names, res.values, res.stderr, res.fixed,
                                                 circuit.parameter_units)},
        "weighted_ssr": res.weighted_ssr, "reduced_chi2": res.reduced_chi2, "n_points": res.n_points,
        "band": band, "n_free": res.n_free, "aic": res.aic, "bic": res.bic, "decimation": dec.as_dict(),
        "correlation": {"names": res.free_names, "matrix": res.correlation},
        "frequency_Hz": res.frequency, "z_real_ohm": res.z.real, "z_imag_ohm": res.z.imag,
        "z_fit_real_ohm": res.z_fit.real, "z_fit_imag_ohm": res.z_fit.imag,
    }
    if args.plot:
        from .. import plotting
        from ..frequencies import dense_frequencies

        fd = dense_frequencies(res.frequency)
        fig = plotting.nyquist([{"frequency": res.frequency, "z": res.z, "label": "data", "style": "points"},
                                {"frequency": fd, "z": circuit.impedance(fd, res.values), "label": f"fit {circuit}"}],
                               args.plot, title=str(args.data))
        import matplotlib.pyplot as plt

        plt.close(fig)
        result["plot"] = args.plot
    if emit(args, result, dec, band, f"{args.data} (loop {spec.loop}): {circuit}, {res.n_points} points, "
                                      f"weighting {res.weighting}"):
        return 0
    print(f"success: {res.success} ({res.message})")
    rows = [[n, float(v), ("fixed" if fx else float(e)), (f"{100 * e / abs(v):.2g} %" if not fx and v else "-"), u or "-"]
            for n, v, e, fx, u in zip(res.names, res.values, res.stderr, res.fixed, circuit.parameter_units)]
    print(format_table(["parameter", "value", "stderr", "rel.", "unit"], rows))
    print(f"weighted SSR {res.weighted_ssr:.5g}, reduced chi2 {res.reduced_chi2:.4g}, AIC {res.aic:.4g}, "
          f"BIC {res.bic:.4g}")
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
