"""Self-contained HTML pages: figures embedded as base64 PNG, tables, the common style.

Used by the demo report (:mod:`cellsim.demo.report`) and the report on measured spectra
(:mod:`cellsim.report`). matplotlib is imported only when a figure is made.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from .files import atomic_write_bytes  # noqa: F401  (re-exported for the report writers)

__all__ = ["CSS", "pyplot", "atomic_write_bytes", "fig_bytes", "table_html", "figure_html", "page"]


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (imported only when a figure is made)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def fig_bytes(fig, fmt: str) -> bytes:
    """The figure as ``fmt`` ("png", "svg") bytes at 110 dpi, tight bounding box."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight")
    return buf.getvalue()


def table_html(caption: str, headers: list[str], rows: list[list[Any]]) -> str:
    """An HTML table; floats with 4 significant digits, None as a dash."""
    def cell(v):
        if v is None:
            return "&ndash;"
        if isinstance(v, float):
            return html.escape(format(v, ".4g"))
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure_html(png: bytes, caption: str) -> str:
    """An embedded PNG figure with its caption."""
    b64 = base64.b64encode(png).decode("ascii")
    return (f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{b64}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def page(title: str, body: str) -> str:
    """A complete HTML document with the common style around ``body`` (already HTML)."""
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>{body}</body></html>")


CSS = """
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
