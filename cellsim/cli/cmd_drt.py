"""``cellsim drt DATA``: distribution of relaxation times (Tikhonov, non-negative)."""

from __future__ import annotations

from ._common import (add_columns_flag, add_json_flag, band_line, band_used, format_table, frequency_arg,
                      print_json)
from ._decimation import add_max_points, decimate


def register(sub):
    p = sub.add_parser("drt", help="distribution of relaxation times of a measured spectrum",
                       description="Tikhonov-regularised, non-negative DRT; the regularisation parameter is "
                                   "chosen by generalised cross-validation (or the L-curve corner).")
    p.add_argument("data", help="impedance file")
    p.add_argument("--loop", type=int, default=0, help="loop of a multi-loop file (0-based, default 0)")
    p.add_argument("--fmin", default=None, help="lowest frequency analysed, e.g. 1, '100 mHz' (default: all)")
    p.add_argument("--fmax", default=None, help="highest frequency analysed, e.g. 1e6, '1 MHz' (default: all)")
    p.add_argument("--lambda", dest="lam", default="gcv",
                   help="regularisation parameter: a number, 'gcv' (default) or 'lcurve'")
    p.add_argument("--inductance", choices=("auto", "yes", "no"), default="auto",
                   help="fit a series inductance: auto (default) when a point has Z'' > 0")
    p.add_argument("--plot", metavar="FILE.png", help="save a plot of gamma(tau)")
    add_columns_flag(p)
    add_max_points(p)
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..errors import InputError
    from ..fitting import drt
    from .cmd_read import load

    lam = args.lam
    if lam not in ("gcv", "lcurve"):
        try:
            lam = float(lam)
        except ValueError:
            raise InputError("--lambda", args.lam, "a number > 0, 'gcv' or 'lcurve'") from None
    spec = load(args.data, args.loop, args.columns)[0]
    fmin, fmax = frequency_arg(args.fmin, "--fmin"), frequency_arg(args.fmax, "--fmax")
    used = spec.band(fmin, fmax) if (fmin is not None or fmax is not None) else spec
    band = band_used(spec.frequency, used.frequency, fmin, fmax)
    f, z, dec = decimate(used, args.max_points)
    r = drt(f, z, lam=lam, inductance={"auto": None, "yes": True, "no": False}[args.inductance])
    result = {"data": str(args.data), "loop": spec.loop, "tau_s": r.tau, "gamma_ohm": r.gamma,
              "peaks": r.peaks, "r_inf_ohm": r.r_inf, "inductance_H": r.inductance, "lambda": r.lam,
              "method": r.method, "band": band, "polarisation_resistance_ohm": r.polarisation_resistance,
              "residuals_real": r.residuals_real, "residuals_imag": r.residuals_imag, "decimation": dec.as_dict()}
    if args.plot:
        from ..plotting import _pyplot, save_figure

        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.semilogx(r.tau, r.gamma, "-")
        for pk in r.peaks:
            ax.axvline(pk["tau_s"], color="0.6", lw=0.6)
        ax.set_xlabel("tau [s]")
        ax.set_ylabel("gamma [ohm]")
        ax.set_title(f"DRT of {args.data} (lambda = {r.lam:.2g}, {r.method})")
        save_figure(fig, args.plot)
        plt.close(fig)
        result["plot"] = args.plot
    if args.json:
        print_json(result)
        return 0
    if dec.decimated:
        print(dec.message)
    print(f"{args.data} (loop {spec.loop}): DRT, lambda = {r.lam:.3g} ({r.method}), R_inf = {r.r_inf:.4g} ohm, "
          f"R_pol = {r.polarisation_resistance:.4g} ohm")
    print(band_line(band))
    rows = [[pk["tau_s"], pk["frequency_Hz"], pk["gamma_ohm"], pk["resistance_ohm"]] for pk in r.peaks]
    print(format_table(["tau [s]", "f [Hz]", "gamma [ohm]", "R [ohm]"], rows))
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
