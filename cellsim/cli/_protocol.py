"""Protocol flags shared by ``cellsim uncertainty`` and ``cellsim sensitivity``.

The step-up flags: same flags, defaults and parsing (:meth:`StepUpProtocol.parse`) as
``cellsim ccd``. The cycling flags of ``--output lifetime`` (``--current``, ``--step-time``,
``--until``, ``--voltage-limit``): same as ``cellsim cycle``.
"""

from __future__ import annotations

from dataclasses import asdict


def add_protocol_flags(p, required: bool = False, prefix: str = "ccd: ") -> None:
    """The step-up flags (``--step-time | --step-capacity``, ``--start``, ``--increment``,
    ``--stop``, ``--rest``); ``required`` makes one of the two step flags mandatory."""
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--step-time", metavar="T", help=prefix + "duration of each half cycle, e.g. '0.5 h' (Fig. S20); "
                                                             "lifetime: of each cycling half cycle, e.g. '1 h'")
    g.add_argument("--step-capacity", metavar="Q", help=prefix + "capacity of each half cycle, e.g. '0.5 mAh/cm2' "
                                                                 "(Fig. S19)")
    p.add_argument("--start", default="0.1 mA/cm2", help=prefix + "first current density (default 0.1 mA/cm2)")
    p.add_argument("--increment", default="0.1 mA/cm2", help=prefix + "step of the current density "
                                                                       "(default 0.1 mA/cm2)")
    p.add_argument("--stop", default="15 mA/cm2", help=prefix + "last current density (default 15 mA/cm2)")
    p.add_argument("--rest", default=None, help=prefix + "rest after each half cycle, e.g. '10 min' (default none)")


def add_cycle_flags(p) -> None:
    """The cycling flags of ``--output lifetime`` (with ``--step-time``), as ``cellsim cycle``."""
    p.add_argument("--current", metavar="J", help="lifetime: cycling current density, e.g. '0.5 mA/cm2'")
    p.add_argument("--until", metavar="DURATION", default="10000 h",
                   help="lifetime: longest time to cycle (default 10000 h); a sample that survives it is censored")
    p.add_argument("--voltage-limit", metavar="V", default=None,
                   help="lifetime: |V| that ends the life (default: voltage_limit of parameters/shortcircuit.toml, "
                        "5 V, then sampled over its range)")


def lifetime_study(args):
    """``(options, space)`` of ``--output lifetime`` (:func:`cellsim.lifetime.interval.lifetime_study`):
    the seed-calibrated k_SEI re-fitted per sample for the shipped calibration model."""
    from ..errors import InputError
    from ..lifetime.interval import lifetime_study as study
    from ..models import load_model
    from ..units import parse_quantity

    if args.step_capacity is not None:
        raise InputError("--step-capacity", args.step_capacity, "not with --output lifetime (use --step-time)")
    if args.current is None or args.step_time is None:
        raise InputError("--output lifetime", "without " + ("--current" if args.current is None else "--step-time"),
                         "a cycling protocol: --current J --step-time T [--until D], e.g. --current 0.5mA/cm2 "
                         "--step-time 1h")
    j = parse_quantity(args.current, "current_density", "--current")
    t = parse_quantity(args.step_time, "time", "--step-time")
    until = parse_quantity(args.until, "time", "--until")
    vlim = None if args.voltage_limit is None else parse_quantity(args.voltage_limit, "voltage", "--voltage-limit")
    return study(load_model(args.model), args.model, j, t, until, vlim)


def refuse_cycle_flags(args) -> None:
    """The cycling flags belong to ``--output lifetime`` only (one-line error otherwise)."""
    from ..errors import InputError

    for flag, given in (("--current", args.current is not None), ("--voltage-limit", args.voltage_limit is not None)):
        if given:
            raise InputError(flag, getattr(args, flag[2:].replace("-", "_")), "only with --output lifetime")


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
