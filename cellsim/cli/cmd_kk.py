"""``cellsim kk DATA``: linear Kramers-Kronig test (Schönleber's lin-KK)."""

from __future__ import annotations

from ._common import add_json_flag, format_table
from ._spectrum_input import add_spectrum_flags, emit, load_spectrum


def register(sub):
    p = sub.add_parser("kk", help="linear Kramers-Kronig validity test of a measured spectrum",
                       description="lin-KK (Schönleber et al. 2014) with the number of RC elements chosen "
                                   "by the mu criterion; residuals are fractions of |Z|.")
    p.add_argument("data", help="impedance file")
    add_spectrum_flags(p)
    p.add_argument("--c", type=float, default=0.85, help="mu threshold (default 0.85)")
    p.add_argument("--threshold", type=float, default=0.01,
                   help="largest residual (fraction of |Z|) for 'passed' (default 0.01)")
    p.add_argument("--capacitance", action="store_true", help="fit a series capacitance (blocking electrodes)")
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..errors import InputError
    from ..fitting import lin_kk
    if not (0 < args.threshold < 1):
        raise InputError("--threshold", args.threshold, "a fraction of |Z| between 0 and 1")
    spec, band, f, z, dec = load_spectrum(args)
    r = lin_kk(f, z, c=args.c, threshold=args.threshold, capacitance=args.capacitance)
    result = {"data": str(args.data), "loop": spec.loop, "n_rc": r.n_rc, "mu": r.mu,
              "frequency_Hz": r.frequency, "residuals_real": r.residuals_real, "residuals_imag": r.residuals_imag,
              "max_abs_residual": r.max_abs_residual, "rms_residual": r.rms_residual, "threshold": r.threshold,
              "passed": r.passed, "band": band, "r_series_ohm": r.r_series, "inductance_H": r.inductance,
              "decimation": dec.as_dict()}
    if emit(args, result, dec, band, f"{args.data} (loop {spec.loop}): lin-KK with {r.n_rc} RC elements "
                                      f"(mu = {r.mu:.3f}), R0 = {r.r_series:.4g} ohm, L = {r.inductance:.3g} H"):
        return 0
    verdict = "PASSED" if r.passed else "FLAGGED"
    print(f"max |residual| {100 * r.max_abs_residual:.3g} % of |Z|, rms {100 * r.rms_residual:.3g} % -> {verdict} "
          f"(threshold {100 * r.threshold:.3g} %)")
    rows = [[float(f), 100 * float(a), 100 * float(b)] for f, a, b in zip(r.frequency, r.residuals_real,
                                                                          r.residuals_imag)]
    print(format_table(["f [Hz]", "dZ'/|Z| [%]", "dZ''/|Z| [%]"], rows, floatfmt=".3g"))
    return 0
