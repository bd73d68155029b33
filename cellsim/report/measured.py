"""One self-contained HTML report for measured impedance files.

For every file given (a folder stands for the readable spectra in it): the spectrum as
read, decimated by log-frequency binning when it has more than ``max_points`` points
(:mod:`cellsim.fitting.decimate`); the lin-KK test (:func:`cellsim.fitting.lin_kk`, with a
series capacitance when that passes and the plain test does not: blocking electrodes); a
circuit fit (:func:`cellsim.fitting.fit`, automatic initial guess) of the given circuit, or
of each of :data:`DEFAULT_CIRCUITS` with the one of lowest BIC among the successful fits
kept (an ``L0-`` term in front when the top-frequency points are inductive; the circuit
without R0 as well when the fit finds no series resistance), with its
residuals; the DRT (:func:`cellsim.fitting.drt`) with its R_inf and L beside the fit's; and,
with a model, the model validation (:func:`cellsim.fitting.validate.validate_model`) with
the fitted physical parameters. A file that cannot be read gets a section with the reader's
message.
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import CellsimError, InputError

__all__ = ["DEFAULT_CIRCUITS", "FileReport", "analyse_file", "collect_files", "write_report"]

#: Candidate circuits of the automatic fit (one arc; an arc and a blocking CPE; two arcs;
#: two arcs and a diffusion/blocking CPE). The lowest BIC among the successful fits is kept.
DEFAULT_CIRCUITS = ("R0-p(R1,CPE1)", "R0-p(R1,CPE1)-CPE2", "R0-p(R1,CPE1)-p(R2,CPE2)",
                    "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3")


@dataclass
class FileReport:
    """What :func:`analyse_file` found for one file.

    ``error`` is the reader's (or the analysis') message when the file failed; the other
    fields are then empty. ``tables`` are (caption, headers, rows); ``figures`` are
    (name, matplotlib Figure, caption); ``summary`` is the JSON form.
    """

    path: str
    error: str | None = None
    notes: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def collect_files(paths) -> list[tuple[Path, bool]]:
    """Expand folders: ``(path, explicit)`` for each file given and each regular,
    non-hidden file directly inside a folder given (sorted by name)."""
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += [(c, False) for c in sorted(p.iterdir()) if c.is_file() and not c.name.startswith(".")]
        else:
            out.append((p, True))
    return out


def _rel(z_data, z_model) -> np.ndarray:
    return (z_data - z_model) / np.abs(z_data)


def _auto_fit(f, z, circuit: str | None):
    """(chosen FitResult, candidate rows, note) for the given circuit or the default candidates."""
    from ..fitting import fit

    if circuit:
        r = fit(circuit, f, z)
        return r, [], None
    top = np.argsort(f)[-3:]
    prefix = "L0-" if np.any(z.imag[top] > 0) else ""
    results, rows = [], []
    from ..circuits import Circuit

    for c in DEFAULT_CIRCUITS:
        if 3 * Circuit(prefix + c).n_params > 2 * f.size:  # at least 3 residuals (of 2N) per parameter
            rows.append([prefix + c, "not tried", None, None, f"too many parameters for {f.size} points "
                                                               "(at most 2N/3)"])
            continue
        try:
            r = fit(prefix + c, f, z)
        except CellsimError as exc:
            rows.append([prefix + c, "error", None, None, str(exc)])
            continue
        rms = float(np.sqrt(np.mean(np.abs(_rel(z, r.z_fit)) ** 2)))
        results.append(r)
        rows.append([prefix + c, "yes" if r.success else "no", r.bic, 100 * rms, r.message])
        if not r.success and "not determined" in r.message and "R0 = " in r.message:
            # no series resistance resolved (an arc still open at f_max): the same circuit without R0
            c2 = prefix + c.replace("R0-", "", 1)
            r2 = fit(c2, f, z)
            results.append(r2)
            rms = float(np.sqrt(np.mean(np.abs(_rel(z, r2.z_fit)) ** 2)))
            rows.append([c2, "yes" if r2.success else "no", r2.bic, 100 * rms, r2.message])
    if not results:
        raise InputError("circuit", "automatic", "a spectrum one of the default circuits can be fitted to")
    ok = [r for r in results if r.success]
    pool = ok or results
    best = min(pool, key=lambda r: r.bic)
    note = None if ok else "No candidate circuit converged with every parameter determined; the lowest BIC is shown."
    return best, rows, note


def analyse_file(path, *, circuit: str | None = None, model=None, max_points: int = 2000) -> FileReport:
    """Read, test, fit and deconvolve one measured file (module docstring).

    Parameters
    ----------
    path : str or Path
        Impedance file (any format :func:`cellsim.data.read_spectra` reads); loop 0 is analysed.
    circuit : str, optional
        Circuit to fit; default the best of :data:`DEFAULT_CIRCUITS` by BIC.
    model : cellsim.stack.Stack, optional
        Model validated against the spectrum.
    max_points : int
        Spectra with more points are decimated by log-frequency binning (0: never).

    Returns
    -------
    FileReport
        With ``error`` set (and nothing else) when the file cannot be read.
    """
    from ..data import read_spectra
    from ..fitting import drt
    from ..fitting.decimate import log_bin

    rep = FileReport(str(path))
    try:
        spectra = read_spectra(path)
    except CellsimError as exc:
        rep.error = str(exc)
        return rep
    except OSError as exc:
        rep.error = f"{path}: {exc.strerror or exc}"
        return rep
    spec = spectra[0]
    dec = log_bin(spec.frequency, spec.z, max_points)
    f, z = dec.frequency, dec.z
    summ = {"file": str(path), "status": "ok", "format": spec.format, "loops": len(spectra), "loop": spec.loop,
            "points": spec.n_points, "fmin_Hz": float(f.min()), "fmax_Hz": float(f.max()),
            "decimation": dec.as_dict()}
    rep.summary = summ
    if len(spectra) > 1:
        rep.notes.append(f"The file holds {len(spectra)} loops; loop {spec.loop} is analysed.")
    if dec.decimated:
        rep.notes.append(dec.message + ".")
    rep.tables.append(("The spectrum as read", ["format", "points", "loops", "f max [Hz]", "f min [Hz]",
                                                "|Z| min [ohm]", "|Z| max [ohm]"],
                       [[spec.format, spec.n_points, len(spectra), float(f.max()), float(f.min()),
                         float(np.abs(z).min()), float(np.abs(z).max())]]))
    try:
        kk = _kk_section(rep, summ, f, z)

        res, candidates, fit_note = _auto_fit(f, z, circuit)
        if candidates:
            rep.tables.append(("Automatic circuit choice: candidates fitted from the automatic initial guess "
                               "(lowest BIC among the successful fits kept)",
                               ["circuit", "success", "BIC", "rms residual [% of |Z|]", "message"], candidates))
        if fit_note:
            rep.notes.append(fit_note)
        rel = _rel(z, res.z_fit)
        rms = float(np.sqrt(np.mean(np.abs(rel) ** 2)))
        units = dict(zip(res.circuit.parameter_names, res.circuit.parameter_units))
        rep.tables.append((f"Fit of {res.circuit} (modulus weighting): success {res.success} ({res.message})",
                           ["parameter", "value", "stderr", "rel. stderr", "unit"],
                           [[n, float(v), float(e), f"{100 * e / abs(v):.2g} %" if np.isfinite(e) and v else "-",
                             units[n] or "-"] for n, v, e in zip(res.names, res.values, res.stderr)]))
        summ["fit"] = {"circuit": str(res.circuit), "success": res.success, "message": res.message, "bic": res.bic,
                       "rms_residual": rms, "parameters": res.parameters, "stderr": res.parameter_errors}

        d = drt(f, z)
        fit_r0 = res.parameters.get("R0")
        fit_l0 = res.parameters.get("L0")
        summ["drt"] = {"lambda": d.lam, "r_inf_ohm": d.r_inf, "inductance_H": d.inductance,
                       "polarisation_resistance_ohm": d.polarisation_resistance, "peaks": d.peaks,
                       "fit_r0_ohm": fit_r0, "fit_l0_H": fit_l0}
        rows = [[pk["tau_s"], pk["frequency_Hz"], pk["gamma_ohm"], pk["resistance_ohm"]] for pk in d.peaks]
        rep.tables.append((f"DRT peaks (Tikhonov, non-negative, lambda = {d.lam:.2g} by GCV)",
                           ["tau [s]", "f = 1/(2 pi tau) [Hz]", "gamma [ohm]", "R [ohm]"], rows))
        rep.tables.append(("Series terms: DRT vs the circuit fit", ["quantity", "DRT", "circuit fit"],
                           [["R_inf / R0 [ohm]", d.r_inf, fit_r0], ["L / L0 [H]", d.inductance, fit_l0],
                            ["R_pol (total area of gamma) [ohm]", d.polarisation_resistance, None]]))

        _figures(rep, path, f, z, res, kk, d, rel, rms)

        if model is not None:
            from ..data import Spectrum

            _validation(rep, model, Spectrum(f, z, source=str(path)), path)
    except CellsimError as exc:
        rep.notes.append(f"Analysis stopped: {exc}")
        summ["status"] = "partial"
        summ["message"] = str(exc)
    return rep


def _kk_section(rep: FileReport, summ: dict, f, z):
    """lin-KK of the spectrum (with a series capacitance when only that passes): table, note, result."""
    from ..fitting import lin_kk

    # lin-KK; a series capacitance when only that passes (blocking electrodes)
    kk = lin_kk(f, z)
    kk_note = ""
    if not kk.passed:
        kc = lin_kk(f, z, capacitance=True)
        if kc.passed:
            kk, kk_note = kc, " (with a series capacitance: blocking at low frequency)"
    summ["kk"] = {"passed": kk.passed, "max_abs_residual": kk.max_abs_residual, "rms_residual": kk.rms_residual,
                  "n_rc": kk.n_rc, "inductance_H": kk.inductance, "series_capacitance": kk.capacitance is not None}
    rep.tables.append(("lin-KK test (Schönleber 2014)" + kk_note,
                       ["RC elements", "mu", "max |residual| [% of |Z|]", "rms [% of |Z|]", "threshold [%]",
                        "L [H]", "verdict"],
                       [[kk.n_rc, kk.mu, 100 * kk.max_abs_residual, 100 * kk.rms_residual, 100 * kk.threshold,
                         kk.inductance, "passed" if kk.passed else "FLAGGED"]]))
    if not kk.passed:
        worst = f[np.argmax(np.hypot(kk.residuals_real, kk.residuals_imag))]
        rep.notes.append(f"lin-KK flags the spectrum: the largest residual, {100 * kk.max_abs_residual:.3g} % of "
                         f"|Z|, is at {worst:.4g} Hz (drift, non-linearity or noise there); fits below use every "
                         "point.")
    return kk


def _figures(rep: FileReport, path, f, z, res, kk, d, rel, rms) -> None:
    """The fit-and-residuals figure and the DRT figure of one file."""
    from ..htmlreport import pyplot
    from ..plotting import nyquist

    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    fd = np.logspace(np.log10(f.max()), np.log10(f.min()), max(2, int(20 * np.log10(f.max() / f.min())) + 1))
    nyquist([{"frequency": f, "z": z, "label": "measured", "style": "points"},
             {"frequency": fd, "z": res.circuit.impedance(fd, res.values), "label": f"fit {res.circuit}"}],
            ax=a1, decade_markers=False)
    a1.set_title("Nyquist: data and fit", fontsize=9)
    a2.semilogx(f, 100 * rel.real, "o", ms=3, mfc="none", color="C0", label="fit, real")
    a2.semilogx(f, 100 * rel.imag, "s", ms=3, mfc="none", color="C1", label="fit, imaginary")
    a2.semilogx(kk.frequency, 100 * kk.residuals_real, "-", lw=0.9, color="C2", label="lin-KK, real")
    a2.semilogx(kk.frequency, 100 * kk.residuals_imag, "--", lw=0.9, color="C3", label="lin-KK, imaginary")
    a2.axhline(0, color="0.5", lw=0.6)
    a2.set_xlabel("frequency [Hz]")
    a2.set_ylabel("residual [% of |Z|]")
    a2.set_title(f"residuals: fit rms {100 * rms:.2g} %, lin-KK max {100 * kk.max_abs_residual:.2g} %",
                 fontsize=9)
    a2.legend(fontsize=7)
    rep.figures.append(("fit", fig, f"{Path(path).name}: measured spectrum with the fit of {res.circuit} (left); "
                                    "residuals of the fit and of the lin-KK test (right)."))
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    ax.semilogx(d.tau, d.gamma, "-", color="C0")
    for pk in d.peaks:
        ax.axvline(pk["tau_s"], color="0.6", lw=0.6)
    ax.set_xlabel("tau [s]")
    ax.set_ylabel("gamma [ohm]")
    ax.set_title(f"DRT: R_inf = {d.r_inf:.4g} ohm, L = {d.inductance:.3g} H, R_pol = "
                 f"{d.polarisation_resistance:.4g} ohm", fontsize=9)
    rep.figures.append(("drt", fig, f"{Path(path).name}: distribution of relaxation times, peaks marked."))


def _validation(rep: FileReport, stack, spec, path) -> None:
    from ..fitting.validate import validate_model

    v = validate_model(stack, spec)
    res = v.fit
    rows = [[q["quantity"], q["where"], q["lab_model_value"], q["lab_value"], q["lab_stderr"], q["lab_unit"] or "-"]
            for q in v.quantities]
    rep.tables.append((f"Model {stack.name}: {v.circuit}; fitted {', '.join(v.fitted) or 'nothing'}; "
                       f"success {res.success} ({res.message})",
                       ["quantity", "where", "model", "fitted", "stderr", "unit"], rows))
    rep.summary["validate"] = {"model": stack.name, "circuit": str(v.circuit), "success": res.success,
                               "message": res.message, "fitted": v.fitted,
                               "weighted_ssr": res.weighted_ssr, "model_weighted_ssr": v.model_weighted_ssr,
                               "quantities": [{"quantity": q["quantity"], "where": q["where"], q["key"]: q["value"],
                                               "stderr": q["stderr"], "model_value": q["model_value"]}
                                              for q in v.quantities]}
    fig = v.plot(title=f"{stack.name} vs {Path(path).name}")
    rep.figures.append(("validate", fig, f"{Path(path).name}: measured, model {stack.name} with sourced values, "
                                         "and the model with its uncertain parameters fitted."))


def write_report(paths, out_dir, *, circuit: str | None = None, model=None, max_points: int = 2000,
                 echo=None) -> dict:
    """Analyse every file and write ``out_dir/report.html`` (and each figure as PNG).

    Parameters
    ----------
    paths : sequence of str or Path
        Files and folders (a folder: every regular file in it; those that cannot be read are
        listed with the reader's message).
    out_dir : str or Path
        Created if needed.
    circuit, model, max_points
        As in :func:`analyse_file`.
    echo : callable, optional
        Progress lines (one per file).

    Returns
    -------
    dict
        ``report`` (path), ``figures`` (paths), ``files`` (the per-file summaries) and
        ``skipped`` (folder members that are not readable spectra, with the message).
    """
    from .. import __version__
    from ..htmlreport import atomic_write_bytes, fig_bytes, figure_html, page, pyplot, table_html

    files = collect_files(paths)
    if not files:
        raise InputError("FILE", [str(p) for p in paths], "at least one impedance file or a folder holding one")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plt = pyplot()
    parts, toc, figure_paths, summaries, skipped = [], [], [], [], []
    k = 0
    for path, explicit in files:
        rep = analyse_file(path, circuit=circuit, model=model, max_points=max_points)
        if rep.error and not explicit:
            skipped.append([path.name, rep.error])
            continue
        k += 1
        anchor = f"f{k}"
        toc.append(f"<li><a href='#{anchor}'>{html.escape(str(path))}</a>"
                   + (" &ndash; not read" if rep.error else "") + "</li>")
        parts.append(f"<h2 id='{anchor}'>{k}. {html.escape(str(path))}</h2>")
        if rep.error:
            parts.append(f"<div class='note'><b>Not read:</b> {html.escape(rep.error)}</div>")
            summaries.append({"file": str(path), "status": "failed", "message": rep.error})
            if echo:
                echo(f"[report] {path}: not read ({rep.error})")
            continue
        for note in rep.notes:
            parts.append(f"<div class='note'>{html.escape(note)}</div>")
        for caption, headers, rows in rep.tables:
            parts.append(table_html(caption, headers, rows))
        for name, fig, caption in rep.figures:
            png = fig_bytes(fig, "png")
            plt.close(fig)
            p_png = out / f"{anchor}_{name}.png"
            atomic_write_bytes(p_png, png)
            figure_paths.append(p_png)
            parts.append(figure_html(png, caption))
        rep.summary["figures"] = [str(out / f"{anchor}_{name}.png") for name, _, _ in rep.figures]
        summaries.append(rep.summary)
        if echo:
            fit = rep.summary.get("fit", {})
            kk = rep.summary.get("kk", {})
            echo(f"[report] {path}: {rep.summary['points']} points, lin-KK "
                 f"{'passed' if kk.get('passed') else 'flagged'}, fit {fit.get('circuit', '-')} "
                 f"(success {fit.get('success', '-')}), {len(rep.summary.get('drt', {}).get('peaks', []))} DRT peaks")
    if skipped:
        parts.append("<h2 id='skipped'>Files in the folder(s) that are not readable spectra</h2>")
        parts.append(table_html("Skipped, with the reader's message", ["file", "why"], skipped))
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    intro = ("<p>Each file is read from its instrument format, tested with lin-KK (Schönleber et al. 2014), "
             "fitted with an equivalent circuit from cellsim's automatic initial guess (modulus weighting)"
             + (f", here {html.escape(circuit)}" if circuit else
                ", the circuit chosen by BIC among " + html.escape(", ".join(DEFAULT_CIRCUITS)))
             + ", and deconvolved into a distribution of relaxation times"
             + (f"; the model {html.escape(model.name)} is validated against each spectrum" if model is not None
                else "") + ".</p>")
    meta = f"<p class='meta'>cellsim {__version__}, generated {stamp}.</p>"
    doc = page("cellsim report: measured impedance spectra",
               f"<h1>cellsim report: measured impedance spectra</h1>{meta}{intro}<ul>{''.join(toc)}</ul>"
               + "".join(parts))
    report = out / "report.html"
    atomic_write_bytes(report, doc.encode("utf-8"))
    return {"report": report, "figures": figure_paths, "files": summaries, "skipped": skipped}
