"""``cellsim drt DATA``: distribution of relaxation times (Tikhonov, non-negative)."""

from __future__ import annotations

from ._common import add_json_flag, format_table
from ._spectrum_input import add_spectrum_flags, emit, load_spectrum


def register(sub):
    p = sub.add_parser("drt", help="distribution of relaxation times of a measured spectrum",
                       description="Tikhonov-regularised, non-negative DRT; the regularisation parameter is "
                                   "chosen by generalised cross-validation (or the L-curve corner).")
    p.add_argument("data", help="impedance file")
    add_spectrum_flags(p)
    p.add_argument("--lambda", dest="lam", default="gcv",
                   help="regularisation parameter: a number, 'gcv' (default) or 'lcurve'")
    p.add_argument("--inductance", choices=("auto", "yes", "no"), default="auto",
                   help="fit a series inductance: auto (default) when a point has Z'' > 0")
    p.add_argument("--plot", metavar="FILE.png", help="save a plot of gamma(tau)")
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..errors import InputError
    from ..fitting import drt
    lam = args.lam
    if lam not in ("gcv", "lcurve"):
        try:
            lam = float(lam)
        except ValueError:
            raise InputError("--lambda", args.lam, "a number > 0, 'gcv' or 'lcurve'") from None
    spec, band, f, z, dec = load_spectrum(args)
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
    if emit(args, result, dec, band, f"{args.data} (loop {spec.loop}): DRT, lambda = {r.lam:.3g} ({r.method}), "
                                      f"R_inf = {r.r_inf:.4g} ohm, R_pol = {r.polarisation_resistance:.4g} ohm"):
        return 0
    rows = [[pk["tau_s"], pk["frequency_Hz"], pk["gamma_ohm"], pk["resistance_ohm"]] for pk in r.peaks]
    print(format_table(["tau [s]", "f [Hz]", "gamma [ohm]", "R [ohm]"], rows))
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
