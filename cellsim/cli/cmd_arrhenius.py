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
    from ..data.conductivity_table import read_conductivity_table
    from ..temperature import fit_arrhenius, fit_vtf
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
        from ..plotting import arrhenius_plot

        arrhenius_plot(table, fit, args.plot)
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
