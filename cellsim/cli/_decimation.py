"""``--max-points`` of ``cellsim fit``, ``kk`` and ``drt``: log-frequency binning of large spectra."""

from __future__ import annotations


def add_max_points(parser) -> None:
    from ..fitting.decimate import DEFAULT_MAX_POINTS

    parser.add_argument("--max-points", type=int, default=DEFAULT_MAX_POINTS, metavar="N",
                        help=f"decimate spectra of more than N points by log-frequency binning (mean Z in N "
                             f"equal bins of ln f; default {DEFAULT_MAX_POINTS}; 0 = every point, refused when "
                             "the memory estimate exceeds CELLSIM_MEMORY_LIMIT, default 2 GiB)")


def decimate(spec, max_points: int):
    """(frequency, z, Decimation) of a Spectrum reduced to at most ``max_points`` points."""
    from ..fitting.decimate import log_bin

    d = log_bin(spec.frequency, spec.z, max_points)
    return d.frequency, d.z, d
