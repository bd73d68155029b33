"""Short-circuit onset in a step-up (critical current density) voltage trace.

The same detector reads measured and simulated traces, so "the step where it shorted" means
the same thing for both.

Method
------
1. The trace is split into *segments* of constant applied current density (relative change
   below ``current_tolerance``); segments with ``|J| <= rest_current_density`` are rests and
   are skipped.
2. Each galvanostatic segment gets a polarization resistance (ASR) estimate
   ``r_k = median(|V|) / |J|`` over its settled part (after ``settle_fraction`` of its
   duration) [ohm m2]. The reference ASR is the median of ``r`` over the preceding healthy
   segments (at least one; the first ``reference_segments`` of them at most, counted back
   from the segment under test).
3. A segment shows a **hard short** when, within it, ``|V|`` falls below
   ``hard_fraction x r_ref x |J|`` and stays below it for the rest of the segment (the
   voltage collapse of an electronic bridge whose resistance is far below the ionic path);
   a **soft short** when its settled ASR falls below ``soft_fraction x r_ref`` (a
   partial electronic path carrying a significant share of the current), or when the
   voltage becomes erratic (the fluctuating "soft short" of
   Li-metal cells); erratic means the median sample-to-sample jump of the settled
   voltage exceeds ``noise_fraction x median |V|``.
4. The onset is the first such segment; ``survived_current_density`` is the largest
   ``|J|`` whose segments all ended before the onset without either sign.

The thresholds are documented defaults, not fitted: measured traces with conditioning
(ASR falling during the first cycles) may need a lower ``soft_fraction``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

__all__ = ["Segment", "ShortOnset", "segments", "detect_short"]


@dataclass(frozen=True)
class Segment:
    """A run of constant applied current density.

    Attributes
    ----------
    start, stop : int
        Sample indices [start, stop).
    current_density : float
        Median applied current density [A/m2] (signed).
    t_start, t_stop : float
        Time of its first and last sample [s].
    """

    start: int
    stop: int
    current_density: float
    t_start: float
    t_stop: float

    @property
    def rest(self) -> bool:
        return self.current_density == 0.0


@dataclass(frozen=True)
class ShortOnset:
    """Result of :func:`detect_short`.

    Attributes
    ----------
    detected : bool
    kind : str or None
        ``"hard"``, ``"soft"`` (ASR drop) or ``"noise"`` (erratic voltage).
    time_s : float or None
        Time of the first sample showing the short [s].
    segment : int or None
        Index of the segment in :attr:`segments`.
    current_density_A_m2 : float or None
        |J| of that segment [A/m2].
    survived_A_m2 : float or None
        Largest |J| fully survived before the onset [A/m2].
    asr_ohm_m2 : list of float
        Settled ASR of every galvanostatic segment (NaN for rests).
    reference_asr_ohm_m2 : float or None
        Reference ASR at the onset segment.
    segments : list of Segment
    """

    detected: bool
    kind: str | None
    time_s: float | None
    segment: int | None
    current_density_A_m2: float | None
    survived_A_m2: float | None
    asr_ohm_m2: list = field(default_factory=list)
    reference_asr_ohm_m2: float | None = None
    segments: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"detected": self.detected, "kind": self.kind, "short_time_s": self.time_s, "segment": self.segment,
                "ccd_A_m2": self.current_density_A_m2, "survived_A_m2": self.survived_A_m2,
                "reference_asr_ohm_m2": self.reference_asr_ohm_m2}


def _check(time, voltage, current_density):
    t = np.asarray(time, dtype=float).ravel()
    v = np.asarray(voltage, dtype=float).ravel()
    j = np.asarray(current_density, dtype=float).ravel()
    if not (t.size == v.size == j.size):
        raise InputError("trace", f"{t.size}/{v.size}/{j.size} samples", "time, voltage, current density of equal length")
    if t.size < 2:
        raise InputError("trace", t.size, "at least 2 samples")
    for name, a in (("time", t), ("voltage", v), ("current_density", j)):
        if not np.all(np.isfinite(a)):
            raise InputError(f"trace.{name}", "non-finite values", "finite samples")
    if np.any(np.diff(t) < 0):
        raise InputError("trace.time", "decreasing", "non-decreasing time")
    return t, v, j


def segments(time, current_density, *, current_tolerance: float = 0.02,
             rest_current_density: float = 1e-3) -> list[Segment]:
    """Split a trace into runs of constant current density.

    Parameters
    ----------
    time : array [s]
    current_density : array [A/m2]
    current_tolerance : float
        Relative change of |J| (or a sign change) that starts a new segment.
    rest_current_density : float
        |J| at or below this is a rest [A/m2] (default 1e-3 A/m2 = 0.1 uA/cm2).
    """
    t = np.asarray(time, dtype=float)
    j = np.asarray(current_density, dtype=float)
    jj = np.where(np.abs(j) <= rest_current_density, 0.0, j)
    out: list[Segment] = []
    start = 0
    ref = jj[0]
    for k in range(1, jj.size + 1):
        if k < jj.size:
            x = jj[k]
            same = (x == 0.0 and ref == 0.0) or (ref != 0.0 and x != 0.0 and math.copysign(1, x) == math.copysign(1, ref)
                                                  and abs(x - ref) <= current_tolerance * abs(ref))
            if same:
                continue
        seg_j = float(np.median(jj[start:k]))
        out.append(Segment(start, k, seg_j, float(t[start]), float(t[k - 1])))
        if k < jj.size:
            start, ref = k, jj[k]
    return out


def detect_short(time, voltage, current_density, *, hard_fraction: float = 0.2, soft_fraction: float = 0.5,
                 noise_fraction: float = 0.1, settle_fraction: float = 0.2, reference_segments: int = 4,
                 current_tolerance: float = 0.02, rest_current_density: float = 1e-3,
                 min_samples: int = 5) -> ShortOnset:
    """Find the first short in a step-up trace (see the module docstring for the method).

    Parameters
    ----------
    time : array [s]
    voltage : array [V]
    current_density : array [A/m2]
        Applied current density (signed).
    hard_fraction, soft_fraction, noise_fraction : float
        Thresholds (fractions of the reference polarization) for a hard short, a soft short
        and erratic voltage.
    settle_fraction : float
        Leading fraction of each segment skipped when estimating its ASR (transients).
    reference_segments : int
        Number of preceding healthy segments whose median ASR is the reference.
    min_samples : int
        Segments with fewer samples are not judged (too short to tell).

    Returns
    -------
    ShortOnset
    """
    for name, val, lo, hi in (("hard_fraction", hard_fraction, 0, 1), ("soft_fraction", soft_fraction, 0, 1),
                              ("noise_fraction", noise_fraction, 0, math.inf),
                              ("settle_fraction", settle_fraction, 0, 0.95)):
        if not (lo < val < hi or (name == "settle_fraction" and val == 0)):
            raise InputError(name, val, f"a number in ({lo}, {hi})")
    if hard_fraction > soft_fraction:
        raise InputError("hard_fraction", hard_fraction, f"<= soft_fraction = {soft_fraction}")
    if int(reference_segments) < 1:
        raise InputError("reference_segments", reference_segments, "an integer >= 1")
    t, v, j = _check(time, voltage, current_density)
    segs = segments(t, j, current_tolerance=current_tolerance, rest_current_density=rest_current_density)
    asr = [math.nan] * len(segs)
    healthy: list[float] = []
    healthy_j: list[float] = []
    for k, s in enumerate(segs):
        if s.rest or s.stop - s.start < min_samples:
            continue
        jabs = abs(s.current_density)
        n = s.stop - s.start
        settled = slice(s.start + int(settle_fraction * n), s.stop)
        vs = np.abs(v[settled])
        ts = t[settled]
        r = float(np.median(vs)) / jabs
        asr[k] = r
        ref = float(np.median(healthy[-int(reference_segments):])) if healthy else None
        kind = None
        when = None
        if ref is not None and ref > 0:
            limit = hard_fraction * ref * jabs
            below = np.abs(v[s.start:s.stop]) < limit
            if below.any():
                # first index from which |V| stays below the limit to the end of the segment
                tail = np.flatnonzero(~below)
                first = (tail[-1] + 1) if tail.size else 0
                if first < n:
                    kind, when = "hard", float(t[s.start + first])
            if kind is None and r < soft_fraction * ref:
                drop = np.flatnonzero(np.abs(v[s.start:s.stop]) < soft_fraction * ref * jabs)
                kind, when = "soft", float(t[s.start + (drop[0] if drop.size else 0)])
        if kind is None and vs.size >= min_samples:
            # erratic voltage: the typical sample-to-sample jump, robust to a few steps (a
            # Sand's-time rise is a few large jumps, fluctuation makes most jumps large)
            med = float(np.median(vs))
            jump = float(np.median(np.abs(np.diff(v[settled]))))
            if med > 0 and jump > noise_fraction * med:
                kind, when = "noise", float(ts[0])
        if kind is not None:
            # fully survived: healthy segments at a current density below the onset's (a short in the
            # stripping half of a step means that step was not survived)
            lower = [x for x in healthy_j if x < jabs * (1.0 - current_tolerance)]
            return ShortOnset(True, kind, when, k, jabs, max(lower) if lower else None, asr, ref, segs)
        healthy.append(r)
        healthy_j.append(jabs)
    return ShortOnset(False, None, None, None, None, max(healthy_j) if healthy_j else None, asr, None, segs)
