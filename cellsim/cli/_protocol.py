"""Step-up protocol flags shared by ``cellsim uncertainty`` and ``cellsim sensitivity``.

Same flags, defaults and parsing (:meth:`StepUpProtocol.parse`) as ``cellsim ccd``.
"""

from __future__ import annotations

from dataclasses import asdict


def add_protocol_flags(p, required: bool = False, prefix: str = "ccd: ") -> None:
    """The step-up flags (``--step-time | --step-capacity``, ``--start``, ``--increment``,
    ``--stop``, ``--rest``); ``required`` makes one of the two step flags mandatory."""
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--step-time", metavar="T", help=prefix + "duration of each half cycle, e.g. '0.5 h' (Fig. S20)")
    g.add_argument("--step-capacity", metavar="Q", help=prefix + "capacity of each half cycle, e.g. '0.5 mAh/cm2' "
                                                                 "(Fig. S19)")
    p.add_argument("--start", default="0.1 mA/cm2", help=prefix + "first current density (default 0.1 mA/cm2)")
    p.add_argument("--increment", default="0.1 mA/cm2", help=prefix + "step of the current density "
                                                                       "(default 0.1 mA/cm2)")
    p.add_argument("--stop", default="15 mA/cm2", help=prefix + "last current density (default 15 mA/cm2)")
    p.add_argument("--rest", default=None, help=prefix + "rest after each half cycle, e.g. '10 min' (default none)")


def protocol_options(args) -> dict:
    """``{"protocol": {...SI...}}`` when a step flag is given, else ``{}``."""
    if args.step_time is None and args.step_capacity is None:
        return {}
    from ..shortcircuit.ccd import StepUpProtocol

    proto = StepUpProtocol.parse(start=args.start, increment=args.increment, stop=args.stop,
                                 step_time=args.step_time, step_capacity=args.step_capacity, rest=args.rest)
    return {"protocol": asdict(proto)}


def add_executor_flags(p) -> None:
    p.add_argument("--out", metavar="FILE.sqlite", help="keep every sample in this SQLite file (one committed row "
                                                        "per sample; see cellsim sweep)")
    p.add_argument("--resume", action="store_true", help="continue the samples stored in --out")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--dask-workers", type=int, metavar="N", help="run on a local Dask cluster of N workers")
    g.add_argument("--scheduler", metavar="ADDR", help="run on the Dask scheduler at ADDR (tcp://host:8786)")
    g.add_argument("--processes", type=int, metavar="N", help="run in N local processes")


def executor_kwargs(args) -> dict:
    from ..errors import InputError

    if args.resume and not args.out:
        raise InputError("--resume", True, "--out FILE.sqlite naming the samples to continue")
    for flag in ("dask_workers", "processes"):
        v = getattr(args, flag)
        if v is not None and v < 1:
            raise InputError("--" + flag.replace("_", "-"), v, "an integer >= 1")
    if args.scheduler:
        return {"executor": "dask", "scheduler": args.scheduler}
    if args.dask_workers:
        return {"executor": "dask", "workers": args.dask_workers}
    if args.processes:
        return {"executor": "processes", "workers": args.processes}
    return {"executor": "inprocess"}
