"""Screening with intervals: each point of a sweep spec (e.g. every LIC of ``lic-screening``)
propagated through its parameter ranges, ranked by median, with ``P(output >= target)`` and a
statement of which candidates cannot be told apart.

Each selected point's stack is built as the sweep builds it
(:func:`cellsim.sweeps.runner.point_stack`); its uncertain parameters are discovered from the
ranges of its materials, interfaces and (for ``ccd``) the short-circuit file. The model file's
own geometry ranges (layer thicknesses, area, temperature) are *not* sampled: the sweep sets
the geometry. Every point uses the same unit-cube design (same seed), so shared parameters
(UVEA, the short-circuit ones) take the same values across candidates — a paired comparison.

**Cannot be told apart**: two candidates whose 90 % intervals overlap by at least half of the
narrower interval (``overlap >= 0.5 min(width_a, width_b)``; a zero-width interval inside the
other counts as overlapping). Their ranking is then an artefact of the nominal values.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import CellsimError, InputError

#: Fraction of the narrower 90 % interval two intervals must share to be "cannot be told apart".
OVERLAP = 0.5


def overlapping(a: tuple[float, float], b: tuple[float, float], fraction: float = OVERLAP) -> bool:
    """Whether intervals ``a = (q05, q95)`` and ``b`` overlap by >= ``fraction`` of the narrower one."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if hi < lo:
        return False
    narrow = min(a[1] - a[0], b[1] - b[0])
    if narrow <= 0:
        return True
    return (hi - lo) >= fraction * narrow


def select_points(spec, at: Mapping[str, float] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """Points of ``spec`` whose axis values equal ``at`` (axis name -> SI value; relative 1e-9)."""
    at = dict(at or {})
    names = {a.name for a in spec.axes}
    for k in at:
        if k not in names:
            raise InputError("--at", k, "an axis of the spec: " + ", ".join(sorted(names)))
    out = []
    for pid, values in spec.points():
        if all(abs(float(values[k]) - float(v)) <= 1e-9 * max(abs(float(v)), 1e-300) for k, v in at.items()):
            out.append((pid, values))
    return out


def screen_with_intervals(spec, output: str = "ccd", *, at: Mapping[str, float] | None = None, samples: int = 32,
                          seed: int = 0, method: str = "sobol", options: Mapping[str, Any] | None = None,
                          target: float | None = None, max_points: int = 64, executor: str = "inprocess",
                          workers: int | None = None, scheduler: str | None = None,
                          progress: bool | None = None) -> dict[str, Any]:
    """Intervals of ``output`` for the selected points of a sweep spec (see the module docstring).

    Returns a dict with ``rows`` (one per point, ranked by median, best first: largest CCD,
    smallest resistance), ``cannot_be_told_apart`` (pairs of labels) and the settings.
    """
    from dataclasses import replace

    from ..sweeps.runner import point_stack
    from ..sweeps.spec import load_spec
    from .outputs import check_output
    from .propagate import Study, run_study, summarize, unit_design, values_from_unit
    from .space import ParameterSpace, discover

    s = spec if hasattr(spec, "points") else load_spec(spec)
    options = dict(options or {})
    if output == "ccd" and not options.get("protocol") and s.protocol:
        options["protocol"] = {**dict(s.protocol), "rest": 0.0}
    check_output(output, options)
    pts = select_points(s, at)
    if not pts:
        raise InputError("--at", dict(at or {}), "axis values that some point of the spec has")
    if len(pts) > max_points:
        raise InputError("--at", dict(at or {}), f"a selection of at most {max_points} points (this selects "
                         f"{len(pts)}): fix the other axes, e.g. --at uvea_thickness=100um")
    stop = options["protocol"]["stop"] if output == "ccd" else None
    if stop is not None and target is not None and target > stop * (1 + 1e-12):
        raise InputError("--target", target, f"at most the protocol's stop ({stop:g} A/m2)")
    label_axes = [a.name for a in s.axes if a.name not in (at or {})]
    spaces = []
    for pid, values in pts:
        space = discover(point_stack(s, values), shortcircuit=output in ("ccd", "lifetime"),
                         lifetime=(output == "lifetime"))
        spaces.append(ParameterSpace(tuple(p for p in space.parameters if p.kind != "model")))
    union = list(dict.fromkeys(n for sp in spaces for n in sp.names))
    u_all = unit_design(samples, len(union), method, seed)  # one column per name: paired across points
    rows = []
    for (pid, values), space in zip(pts, spaces):
        x = values_from_unit(space, u_all[:, [union.index(n) for n in space.names]])
        study = Study(model_path=s.model_path, model_hash=s.model_hash, output=output, options=options, space=space,
                      values=tuple(tuple(float(v) for v in r) for r in x), spec_path=str(s.where),
                      point=tuple(sorted(values.items())), design={"method": method, "seed": seed, "samples": samples},
                      name=f"{s.name}[{pid}]")
        from .propagate import CHUNK

        study = replace(study, chunk_size=CHUNK.get(output))
        v, c, errors, _ = run_study(study, None, executor=executor, workers=workers, scheduler=scheduler,
                                    progress=progress)
        label = ", ".join(str(values[k]) for k in label_axes) or str(pid)
        try:
            summ = summarize(v, c, target, stop, seed)
        except CellsimError:
            summ = {"samples": 0, "n_failed": len(v), "error": next(iter(errors.values()), "no sample evaluated")}
        rows.append({"label": label, "point_id": pid, **{k: values[k] for k in values}, **summ,
                     "parameters": len(space)})
    ok = [r for r in rows if r.get("samples")]
    higher_better = output == "ccd"
    ok.sort(key=lambda r: -r["median"] if higher_better else r["median"])
    pairs = []
    for i, a in enumerate(ok):
        a["cannot_be_told_apart_from"] = []
        for b in ok:
            if b is not a and overlapping((a["q05"], a["q95"]), (b["q05"], b["q95"])):
                a["cannot_be_told_apart_from"].append(b["label"])
                if (b["label"], a["label"]) not in pairs:
                    pairs.append((a["label"], b["label"]))
    failed = [r for r in rows if not r.get("samples")]
    return {"spec": s.name, "output": output, "at": dict(at or {}), "samples": samples, "seed": seed,
            "target": target, "rows": ok + failed, "cannot_be_told_apart": pairs, "overlap_fraction": OVERLAP}
