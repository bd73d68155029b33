"""Assemble demo sections into a printed summary, figure files and a self-contained HTML report."""

from __future__ import annotations

import datetime as _dt
import html
import time
from pathlib import Path
from typing import Any, Callable

from ..files import atomic_write_bytes
from ..htmlreport import fig_bytes as _fig_bytes
from ..htmlreport import figure_html, page
from ..htmlreport import table_html as _table_html
from ..tables import format_table
from .section import Section


def run_demo(out_dir: str | Path = "cellsim-demo", sections: list[Callable[[], Section]] | None = None,
             echo: Callable[[str], None] = print, progress: bool = True) -> dict[str, Any]:
    """Run the demo sections, write figures and ``report.html`` into ``out_dir``.

    Returns a dict with the report path, the figure paths and the summary rows.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .. import __version__
    from .sections import SECTIONS

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    funcs = sections if sections is not None else SECTIONS
    done: list[Section] = []
    timings = {}
    for func in funcs:
        t0 = time.perf_counter()
        if progress:
            echo(f"[demo] {func.__doc__.strip().splitlines()[0] if func.__doc__ else func.__name__} ...")
        sec = func()
        timings[sec.key] = time.perf_counter() - t0
        done.append(sec)
    figure_paths = []
    figure_labels = {}
    parts = []
    used_files: set[str] = set()
    for sec in done:
        parts.append(f"<h2 id='{sec.key}'>{html.escape(sec.title)}</h2>")
        if sec.intro:
            parts.append(f"<p>{html.escape(sec.intro)}</p>")
        for inp in sec.inputs:
            parts.append(f"<div class='inputs'>{html.escape(inp)}</div>")
            used_files.update(x for x in inp.split() if x.endswith(".toml"))
        for note in sec.notes:
            parts.append(f"<div class='note'><b>Note:</b> {html.escape(note)}</div>")
        for caption, headers, rows in sec.tables:
            parts.append(_table_html(caption, headers, rows))
        for name, fig, caption in sec.figures:
            figure_labels[f"{sec.key}_{name}"] = [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes
                                                  if ax.get_visible() and ax.axison and ax.get_label() != "<colorbar>"]
            png = _fig_bytes(fig, "png")
            svg = _fig_bytes(fig, "svg")
            plt.close(fig)
            p_png, p_svg = out / f"{sec.key}_{name}.png", out / f"{sec.key}_{name}.svg"
            atomic_write_bytes(p_png, png, mkdir=True)
            atomic_write_bytes(p_svg, svg, mkdir=True)
            figure_paths += [p_png, p_svg]
            parts.append(figure_html(png, caption))
    from ..paths import data_dir

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    meta = (f"<p class='meta'>cellsim {__version__}, generated {stamp}. Model files from "
            f"{html.escape(str(data_dir('models')))}; parameter files from {html.escape(str(data_dir('parameters')))}.</p>")
    summary_rows = [r for s in done for r in s.summary]
    summary_html = _table_html("Summary: the seed's numbers next to cellsim's", ["quantity", "seed", "cellsim", "note"],
                               summary_rows) if summary_rows else ""
    toc = "<ul>" + "".join(f"<li><a href='#{s.key}'>{html.escape(s.title)}</a></li>" for s in done) + "</ul>"
    doc = page("cellsim demo: the sandwich electrolyte seed reproduced",
               "<h1>cellsim demo: UVEA | LIC | UVEA sandwich electrolytes (Zou, Wang, He, Xin, SI) reproduced</h1>"
               f"{meta}{toc}{summary_html}{''.join(parts)}")
    report = out / "report.html"
    atomic_write_bytes(report, doc.encode("utf-8"), mkdir=True)
    if summary_rows:
        echo(format_table(["quantity", "seed", "cellsim", "note"], summary_rows))
    echo(f"\nreport: {report}  ({len(figure_paths)} figure files)")
    return {"report": report, "figures": figure_paths, "figure_labels": figure_labels, "summary": summary_rows,
            "timings_s": timings, "sections": [s.key for s in done]}
