"""``cellsim sweep SPEC --out RESULTS.sqlite``: a sweep or screening, checkpointed in SQLite."""

from __future__ import annotations

from ._common import add_json_flag, format_table, print_json


def _positive_int(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not allowed; expected an integer >= 1")
    return n


def register(sub):
    p = sub.add_parser("sweep", help="run a sweep or screening (spec in TOML; examples in models/sweeps/) into a "
                                     "SQLite file, one row per point; resumable")
    p.add_argument("spec", help="sweep spec: a path or the name of a shipped spec (e.g. lic-screening)")
    p.add_argument("--out", required=True, help="results file (SQLite); each finished point is committed to it")
    p.add_argument("--resume", action="store_true", help="continue the interrupted sweep stored in --out "
                   "(only the missing points are computed; starts it if the file does not exist)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler "
                       "(e.g. tcp://10.0.0.1:8786)")
    where.add_argument("--dask-workers", type=_positive_int, metavar="N", help="start a Dask LocalCluster with N "
                       "worker processes")
    where.add_argument("--processes", type=_positive_int, metavar="N", help="run on N local processes")
    p.add_argument("--chunk-size", type=_positive_int, metavar="N", help="points per task")
    p.add_argument("--no-vectorise", action="store_true", help="compute point by point even where the outputs "
                   "have a vectorised form")
    p.add_argument("--synchronous", choices=("normal", "full"), default="normal",
                   help="SQLite durability: normal survives a killed process (default), full also a power cut")
    p.add_argument("--export", metavar="FILE", help="also write the results as FILE (.csv, or .parquet with pyarrow)")
    p.add_argument("--top", type=_positive_int, default=10, metavar="N", help="rows of the ranking table (default 10)")
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..sweeps.runner import run_sweep
    from ..sweeps.spec import load_spec
    from ..sweeps.store import export_results, load_results

    if args.export:
        from pathlib import Path

        import importlib.util

        from ..errors import InputError

        suffix = Path(args.export).suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise InputError("--export", args.export, "a .csv or .parquet file name")
        if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
            raise InputError("--export", args.export, "a .csv file: writing Parquet needs pyarrow, which is not "
                             "installed (pip install pyarrow)")
    spec = load_spec(args.spec)
    if args.scheduler:
        executor, workers = "dask", None
    elif args.dask_workers:
        executor, workers = "dask", args.dask_workers
    elif args.processes:
        executor, workers = "processes", args.processes
    else:
        executor, workers = "inprocess", None
    report = run_sweep(spec, args.out, resume=args.resume, executor=executor, workers=workers,
                       scheduler=args.scheduler, chunk_size=args.chunk_size, vectorise=not args.no_vectorise,
                       progress=None if not args.json else False, synchronous=args.synchronous.upper())
    exported = None
    if args.export:
        exported = str(export_results(args.out, args.export))
    summary = report.as_dict()
    summary.update(spec_file=spec.where, title=spec.title, export=exported,
                   axes=[{"name": a.name, "column": a.column, "n": len(a.values) if a.mode != "random" else spec.samples}
                         for a in spec.axes])
    if args.json:
        print_json(summary)
        return 0
    print(f"{spec.title or spec.name}   [{spec.where}]")
    print(f"{report.n_points} points: {report.n_ok} ok, {report.n_error} error; computed now {report.n_computed}"
          f" (already in the file: {report.n_done_before}) in {report.elapsed_s:.2f} s"
          + (f", {report.points_per_s:.4g} points/s" if report.points_per_s else "")
          + f" [{report.executor}, {report.workers} worker{'s' if report.workers != 1 else ''}]")
    print(f"results: {args.out}" + (f"; exported to {exported}" if exported else ""))
    df = load_results(args.out)
    from ..sweeps.views import ranking

    key = _rank_key(df)
    if key is not None and len(df):
        tab = ranking(df, by=key, top=args.top)
        print()
        print(f"best {min(args.top, len(tab))} by {key}:")
        headers, rows = _lab_table(tab, df.attrs.get("columns", {}))
        print(format_table(headers, rows))
        if key == "ccd_A_m2":
            print("(CCD '-': no short within the protocol; ranked first)")
    errors = df[df["status"] == "error"]
    if len(errors):
        print()
        print(f"{len(errors)} points failed; first: point {int(errors.iloc[0]['point_id'])}: {errors.iloc[0]['error']}")
    return 0


def _rank_key(df):
    if "ccd_A_m2" in df.columns:  # empty CCD = no short within the protocol (ranked best)
        return "ccd_A_m2"
    for k in ("total_resistance_ohm", "bulk_resistance_ohm"):
        if k in df.columns and df[k].notna().any():
            return k
    return None


def _lab_table(tab, columns):
    from ..sweeps.views import lab_values, unit_label

    headers, cols = [], []
    for c in tab.columns:
        if c in ("status", "error", "worker", "finished_at", "elapsed_s"):
            continue
        headers.append(unit_label(c))
        cols.append(lab_values(tab[c], c))
    rows = [list(r) for r in zip(*cols)] if cols else []
    return headers, rows
