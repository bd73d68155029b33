"""``cellsim demo``: reproduce the seed side by side and write an HTML report."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser("demo", help="reproduce the seed document: tables, figures and an HTML report")
    p.add_argument("--out", default="cellsim-demo", help="output folder (default ./cellsim-demo)")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    return p


def run(args) -> int:
    from ..demo import run_demo

    run_demo(args.out, progress=not args.quiet)
    return 0
