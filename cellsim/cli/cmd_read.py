"""``cellsim read DATA``: read an instrument file (BioLogic .mpt/.mpr, Gamry .DTA, ZView .z, CSV)."""

from __future__ import annotations

from ._common import add_columns_flag, add_json_flag, format_table, print_json


def register(sub):
    p = sub.add_parser("read", help="read a measured impedance file and write it as cellsim CSV",
                       description="Read DATA (format detected from the content) and print a summary; "
                                   "--out writes frequency_Hz,z_real_ohm,z_imag_ohm (and loop when several).")
    p.add_argument("data", help="impedance file (.mpt, .mpr, .DTA, .z, .csv, .txt)")
    p.add_argument("--out", metavar="FILE.csv", help="write the spectra as cellsim CSV")
    p.add_argument("--loop", type=int, default=None, help="only this loop (0-based)")
    add_columns_flag(p)
    add_json_flag(p)
    return p


def load(path, loop=None, columns=None):
    """Spectra of a data file (all loops, or one) for the CLI commands."""
    from ..data import read_spectra
    from ..errors import InputError

    spectra = read_spectra(path, columns=columns)
    if loop is None:
        return spectra
    if not (-len(spectra) <= loop < len(spectra)):
        raise InputError("--loop", loop, f"a loop index 0..{len(spectra) - 1} ({path} has {len(spectra)} loops)")
    return [spectra[loop]]


def run(args) -> int:
    from pathlib import Path

    from ..data import write_csv
    from ..errors import InputError

    spectra = load(args.data, args.loop, args.columns)
    if args.out:
        d = Path(args.out).parent
        if str(d) and not d.is_dir():
            raise InputError("--out", args.out, f"a file in an existing directory ({d} does not exist)")
        write_csv(args.out, spectra)
    loops = [{"loop": s.loop, "points": s.n_points, "fmin_Hz": float(s.frequency.min()),
              "fmax_Hz": float(s.frequency.max()), "zmod_min_ohm": float(s.modulus.min()),
              "zmod_max_ohm": float(s.modulus.max())} for s in spectra]
    first = spectra[0]
    result = {"data": str(args.data), "format": first.format, "points": int(sum(s.n_points for s in spectra)),
              "loops": len(spectra), "spectra": loops,
              "technique": first.metadata.get("technique"), "encoding": first.metadata.get("encoding"),
              "decimal_comma": first.metadata.get("decimal_comma")}
    if args.out:
        result["out"] = args.out
    if args.json:
        print_json(result)
        return 0
    print(f"{args.data}: {result['format']}, {result['points']} points in {result['loops']} loop(s)"
          + (f", {result['technique']}" if result["technique"] else ""))
    rows = [[l["loop"], l["points"], l["fmax_Hz"], l["fmin_Hz"], l["zmod_min_ohm"], l["zmod_max_ohm"]] for l in loops]
    print(format_table(["loop", "points", "f max [Hz]", "f min [Hz]", "|Z| min [ohm]", "|Z| max [ohm]"], rows))
    if args.out:
        print(f"wrote {args.out}")
    return 0
