"""The measured-spectrum input shared by ``fit``, ``kk`` and ``drt``: the file flags, the band
and the decimation, and the lines every one of them prints before its own result."""

from __future__ import annotations

from ._common import add_columns_flag, band_line, band_used, frequency_arg, print_json
from ._decimation import add_max_points, decimate


def add_spectrum_flags(p, what: str = "analysed") -> None:
    """``DATA`` options: ``--loop``, ``--fmin``, ``--fmax``, ``--columns`` and ``--max-points``."""
    p.add_argument("--loop", type=int, default=0, help="loop of a multi-loop file (0-based, default 0)")
    p.add_argument("--fmin", default=None, help=f"lowest frequency {what}, e.g. 1, '100 mHz' (default: all)")
    p.add_argument("--fmax", default=None, help=f"highest frequency {what}, e.g. 1e6, '1 MHz' (default: all)")
    add_columns_flag(p)
    add_max_points(p)


def load_spectrum(args):
    """``(spectrum as read, band dict, f [Hz], z [ohm], decimation)`` of ``args.data`` within
    ``--fmin``/``--fmax``, decimated to ``--max-points``."""
    from .cmd_read import load

    spec = load(args.data, args.loop, args.columns)[0]
    fmin, fmax = frequency_arg(args.fmin, "--fmin"), frequency_arg(args.fmax, "--fmax")
    used = spec.band(fmin, fmax) if (fmin is not None or fmax is not None) else spec
    band = band_used(spec.frequency, used.frequency, fmin, fmax)
    f, z, dec = decimate(used, args.max_points)
    return spec, band, f, z, dec


def emit(args, result: dict, dec, band: dict, headline: str) -> bool:
    """Print ``result`` as JSON (returns True: nothing else to print) or the decimation note,
    ``headline`` and the band line (returns False: the command prints its table next)."""
    if args.json:
        print_json(result)
        return True
    if dec.decimated:
        print(dec.message)
    print(headline)
    print(band_line(band))
    return False
