"""Assemble demo sections into a printed summary, figure files and a self-contained HTML report."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import time
from pathlib import Path
from typing import Any, Callable

from ..files import atomic_write_bytes
from ..tables import format_table
from .section import Section


def _fig_bytes(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _table_html(caption: str, headers: list[str], rows: list[list[Any]]) -> str:
    def cell(v):
        if v is None:
            return "&ndash;"
        if isinstance(v, float):
            return html.escape(format(v, ".4g"))
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em} caption{text-align:left;font-weight:600;padding:.3em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right} th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{font-size:.85em;color:#555}
.note{background:#fff4e5;border-left:4px solid #f0a030;padding:.5em .8em;margin:.5em 0}
.inputs{background:#eef5ff;border-left:4px solid #3070c0;padding:.5em .8em;margin:.5em 0;font-size:.9em}
.meta{font-size:.85em;color:#555}
"""


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
            b64 = base64.b64encode(png).decode("ascii")
            parts.append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{b64}'>"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    from ..paths import data_dir

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    meta = (f"<p class='meta'>cellsim {__version__}, generated {stamp}. Model files from "
            f"{html.escape(str(data_dir('models')))}; parameter files from {html.escape(str(data_dir('parameters')))}.</p>")
    summary_rows = [r for s in done for r in s.summary]
    summary_html = _table_html("Summary: the seed's numbers next to cellsim's", ["quantity", "seed", "cellsim", "note"],
                               summary_rows) if summary_rows else ""
    toc = "<ul>" + "".join(f"<li><a href='#{s.key}'>{html.escape(s.title)}</a></li>" for s in done) + "</ul>"
    doc = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
           "<title>cellsim demo: the sandwich electrolyte seed reproduced</title>"
           f"<style>{_CSS}</style></head><body>"
           "<h1>cellsim demo: UVEA | LIC | UVEA sandwich electrolytes (Zou, Wang, He, Xin, SI) reproduced</h1>"
           f"{meta}{toc}{summary_html}{''.join(parts)}</body></html>")
    report = out / "report.html"
    atomic_write_bytes(report, doc.encode("utf-8"), mkdir=True)
    if summary_rows:
        echo(format_table(["quantity", "seed", "cellsim", "note"], summary_rows))
    echo(f"\nreport: {report}  ({len(figure_paths)} figure files)")
    return {"report": report, "figures": figure_paths, "figure_labels": figure_labels, "summary": summary_rows,
            "timings_s": timings, "sections": [s.key for s in done]}
