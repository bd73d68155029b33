"""The LIC screening of the seed's sandwich, ready for reports (``cellsim demo``).

Runs the shipped ``models/sweeps/lic-screening.toml`` (every non-polymer conductor of the
library as a dense middle layer of Li | UVEA | LIC | UVEA | Li at the seed's area, 22 and
60 degC, 20 and 100 um UVEA per side) in-process and ranks it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping


def screen_lics(out: str | os.PathLike | None = None, *, spec: str = "lic-screening",
                at: Mapping[str, Any] | None = None, by: str = "total_resistance_ohm"):
    """Run the LIC screening and rank the LICs.

    Parameters
    ----------
    out : path, optional
        Results file to keep (resumed if it holds the same spec); default a temporary one.
    spec : str
        The screening spec (shipped name or path).
    at : mapping, optional
        Axis values of the ranking; default the seed's geometry as modelled: 100 um UVEA
        per side (assumed, as in the shipped sandwich models) at 22 degC (295.15 K).
    by : str
        Ranking column (default total resistance, bulk + interfaces [ohm]).

    Returns
    -------
    results : pandas.DataFrame
        Every point (see :func:`cellsim.sweeps.load_results`).
    ranking : pandas.DataFrame
        The ranking table of :func:`cellsim.sweeps.views.ranking` at ``at``.
    """
    from .runner import run_sweep
    from .spec import load_spec
    from .store import load_results
    from .views import ranking

    s = load_spec(spec)
    if at is None:
        at = {"uvea_thickness_m": 100e-6, "temperature_K": 295.15}
    if out is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "screening.sqlite"
            run_sweep(s, path, progress=False)
            df = load_results(path)
    else:
        run_sweep(s, out, resume=True, progress=False)
        df = load_results(out)
    return df, ranking(df, by, at=at)
