"""``cellsim arrhenius DATA``: fit conductivity against temperature (Arrhenius or VTF), Fig. S7 style."""

from __future__ import annotations

from ._common import add_json_flag, format_table, print_json


def register(sub):
    p = sub.add_parser(
        "arrhenius",
        help="fit conductivity vs temperature with an Arrhenius or VTF law",
        description="Fit ln(sigma) against temperature by weighted least squares. DATA is a CSV table with a "
                    "temperature column (T_K or T_degC) and a conductivity column with its unit in the header "
                    "(sigma_S_cm, sigma_mS_cm, sigma_S_m; optional sigma_err_<unit>), or a resistance column "
                    "(R_ohm) or a column 'file' of impedance spectra, with --thickness and --area "
                    "(sigma = L/(R S)).",
    )
    p.add_argument("data", help="CSV table of T and sigma (or R, or spectrum files)")
    p.add_argument("--law", choices=("arrhenius", "vtf"), default="arrhenius", help="temperature law (default arrhenius)")
    p.add_argument("--form", choices=("sigma", "sigmaT"), default="sigma",
                   help="Arrhenius form: sigma = A exp(-Ea/RT) (default) or sigma T = A exp(-Ea/RT)")
    p.add_argument("--reference-temperature", default="22 degC",
                   help="temperature at which sigma_ref is reported (default '22 degC')")
    p.add_argument("--thickness", help="sample thickness for R or spectra tables, e.g. '340 um'")
    p.add_argument("--area", help="electrode area for R or spectra tables, e.g. '2 cm2'")
    p.add_argument("--plot", metavar="FILE.png", help="write log10(sigma) vs 1000/T with the fit")
    add_json_flag(p)
    return p


def run(args) -> int:
    import numpy as np

    from ..errors import InputError
    from ..temperature import fit_arrhenius, fit_vtf, read_conductivity_table
    from ..units import parse_quantity, to_unit

    t_ref = parse_quantity(args.reference_temperature, "temperature", "--reference-temperature")
    if t_ref <= 0:
        raise InputError("--reference-temperature", args.reference_temperature, "a temperature above 0 K")
    thickness = parse_quantity(args.thickness, "length", "--thickness") if args.thickness else None
    area = parse_quantity(args.area, "area", "--area") if args.area else None
    table = read_conductivity_table(args.data, thickness=thickness, area=area)
    if args.law == "arrhenius":
        fit = fit_arrhenius(table.temperature, table.sigma, table.sigma_err, form=args.form, reference_temperature=t_ref)
    else:
        fit = fit_vtf(table.temperature, table.sigma, table.sigma_err, reference_temperature=t_ref)
    predicted = np.asarray(fit.predict(table.temperature))
    if args.plot:
        _plot(args.plot, table, fit)
    if args.json:
        out = fit.to_dict()
        out.update(source=table.source, temperature_K=table.temperature, sigma_S_m=table.sigma,
                   sigma_err_S_m=table.sigma_err, sigma_fit_S_m=predicted,
                   bulk_resistance_ohm=table.resistance, plot=args.plot)
        print_json(out)
        return 0
    d = fit.to_dict()
    print(f"{table.source}: {d['n_points']} points, {_law_text(fit)}")
    rows = [["sigma_ref at %.2f K" % fit.reference_temperature, to_unit(d["sigma_ref_S_m"], "mS/cm"),
             to_unit(d["sigma_ref_stderr_S_m"], "mS/cm"), "mS/cm"]]
    if fit.law == "arrhenius":
        rows.append(["Ea", d["activation_energy_J_mol"] / 1e3, d["activation_energy_stderr_J_mol"] / 1e3, "kJ/mol"])
        rows.append(["Ea", d["activation_energy_eV"], d["activation_energy_stderr_eV"], "eV"])
    else:
        rows.append(["B", d["B_K"], d["B_stderr_K"], "K"])
        rows.append(["T0", d["T0_K"], d["T0_stderr_K"], "K"])
        rows.append(["R B (pseudo-Ea)", d["pseudo_activation_energy_J_mol"] / 1e3, None, "kJ/mol"])
    print(format_table(["parameter", "value", "stderr", "unit"], rows))
    weights = "given uncertainties (absolute)" if fit.absolute_sigma else "unit weights, covariance scaled by chi2/dof"
    print(f"chi2 = {fit.chi2:.4g}, dof = {fit.dof}  ({weights})")
    print()
    drows = [[t, t - 273.15, to_unit(s, "mS/cm"), to_unit(p, "mS/cm"), float(np.log(s / p))]
             for t, s, p in zip(table.temperature, table.sigma, predicted)]
    print(format_table(["T [K]", "T [degC]", "sigma [mS/cm]", "fit [mS/cm]", "ln residual"], drows))
    if args.plot:
        print(f"\nplot written to {args.plot}")
    return 0


def _law_text(fit) -> str:
    if fit.law == "vtf":
        return "VTF fit: sigma = A T^-1/2 exp(-B/(T - T0))"
    if fit.form == "sigmaT":
        return "Arrhenius fit: sigma T = A exp(-Ea/(R T))"
    return "Arrhenius fit: sigma = A exp(-Ea/(R T))"


def _plot(path: str, table, fit) -> None:
    """log10(sigma [S/cm]) against 1000/T [1/K], data with error bars and the fitted law."""
    import os
    import tempfile
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ..errors import InputError

    target = Path(path)
    fmt = target.suffix.lstrip(".").lower() or "png"
    if fmt not in ("png", "pdf", "svg"):
        raise InputError("--plot", path, "a file name ending in .png, .pdf or .svg")
    if not target.parent.is_dir():
        raise InputError("--plot", path, "a file in an existing directory")
    T = table.temperature
    s_cm = table.sigma / 100.0
    fig, ax = plt.subplots(figsize=(5.0, 4.0), constrained_layout=True)
    x = 1000.0 / T
    if table.sigma_err is not None:
        lo = np.log10(s_cm) - np.log10(np.maximum(table.sigma - table.sigma_err, 1e-300) / 100.0)
        hi = np.log10((table.sigma + table.sigma_err) / 100.0) - np.log10(s_cm)
        ax.errorbar(x, np.log10(s_cm), yerr=[lo, hi], fmt="o", ms=5, capsize=3, label="data")
    else:
        ax.plot(x, np.log10(s_cm), "o", ms=5, label="data")
    tt = np.linspace(T.min(), T.max(), 200)
    pred = np.asarray(fit.predict(tt)) / 100.0
    d = fit.to_dict()
    if fit.law == "arrhenius":
        label = f"Arrhenius, Ea = {d['activation_energy_eV']:.3f} ± {d['activation_energy_stderr_eV']:.3f} eV"
    else:
        label = f"VTF, B = {d['B_K']:.0f} ± {d['B_stderr_K']:.0f} K, T0 = {d['T0_K']:.0f} ± {d['T0_stderr_K']:.0f} K"
    ax.plot(1000.0 / tt, np.log10(pred), "-", label=label)
    ax.set_xlabel("1000/T [1/K]")
    ax.set_ylabel("log10(σ [S/cm])")
    top = ax.secondary_xaxis("top", functions=(lambda v: 1000.0 / np.maximum(v, 1e-9) - 273.15,
                                               lambda c: 1000.0 / (c + 273.15)))
    top.set_xlabel("T [°C]")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    folder = str(target.parent) if str(target.parent) else "."
    fd, tmp = tempfile.mkstemp(prefix=".arrhenius-", suffix="." + fmt, dir=folder)
    os.close(fd)
    try:
        fig.savefig(tmp, format=fmt, dpi=150)
        umask = os.umask(0o077); os.umask(umask)  # noqa: E702  the process umask (mkstemp makes 0600)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        plt.close(fig)
