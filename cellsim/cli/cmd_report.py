"""``cellsim report FILE... --out DIR``: one HTML report on measured impedance files."""

from __future__ import annotations

from ._common import add_json_flag, print_json
from ._decimation import add_max_points


def register(sub):
    p = sub.add_parser("report", help="HTML report on measured spectra: lin-KK, circuit fit, DRT (and a model)",
                       description="For each FILE (a folder: the readable spectra in it): the spectrum as read, the "
                                   "lin-KK test, a circuit fit from the automatic initial guess with its residuals, "
                                   "the DRT and, with --model, the model validation with physical parameters. "
                                   "Writes DIR/report.html (figures embedded) and the figures as PNG.")
    p.add_argument("files", nargs="+", metavar="FILE", help="impedance files or folders")
    p.add_argument("--model", metavar="M", help="model name or TOML file validated against each spectrum")
    p.add_argument("--circuit", metavar="C", help="circuit fitted to every file (default: the best by BIC of "
                                                  "R0-p(R1,CPE1), R0-p(R1,CPE1)-CPE2, R0-p(R1,CPE1)-p(R2,CPE2), "
                                                  "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3; L0- in front when inductive)")
    p.add_argument("--out", metavar="DIR", default="cellsim-report", help="output folder (default cellsim-report)")
    add_max_points(p)
    add_json_flag(p)
    return p


def run(args) -> int:
    import sys

    from ..report import write_report

    stack = None
    if args.model:
        from ..models import load_model

        stack = load_model(args.model)
    if args.circuit:
        from ..circuits import Circuit

        Circuit(args.circuit)  # a syntax error stops here, before any file is read
    echo = None if args.json else (lambda s: print(s, file=sys.stderr))
    res = write_report(args.files, args.out, circuit=args.circuit, model=stack, max_points=args.max_points, echo=echo)
    result = {"report": str(res["report"]), "figures": [str(p) for p in res["figures"]], "files": res["files"],
              "skipped": [{"file": a, "message": b} for a, b in res["skipped"]]}
    if args.json:
        print_json(result)
        return 0
    failed = sum(1 for s in res["files"] if s["status"] == "failed")
    print(f"report: {res['report']}  ({len(res['files'])} file(s), {failed} not read, {len(res['skipped'])} "
          f"skipped in folders, {len(res['figures'])} figures)")
    return 0
