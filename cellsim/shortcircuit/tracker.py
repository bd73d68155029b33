"""The front tracker of the step-up simulation: the Python reference engine (physics.md §2.1.7, §2.5).

:class:`_Layers` turns a stack and the short-circuit parameters into what the tracker needs
of each layer; :class:`_Tracker` advances the two conducting fronts (one from each Li
electrode) between the samples of a solver solution, and says which layers they span and the
electronic path's resistance once they meet. :func:`cellsim.shortcircuit.ccd.run_ccd`
drives it half cycle by half cycle (``engine="python"``); the compiled engine
(:mod:`cellsim.shortcircuit._kernels`, ``step_up``) does the same operation for operation
and is tested against it. The mechanisms are described in :mod:`cellsim.shortcircuit.ccd`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import F
from .contact import contact_fraction, resistance_at, void_contact
from .fracture import filament_velocity, largest_flaw
from .interphase import layer_electronic_asr, leak_conductance
from .margins import electrode_contact_resistance, tip_contact
from .mechanisms import (MONROE_NEWMAN_RATIO, OMEGA_LI, MiddleLayerPath, griffith_overpotential,
                         interphase_thickness, interphase_time, layer_shear_modulus, middle_layer_path,
                         monroe_newman_ratio)


_POLY, _GROW, _INTRINSIC, _CRACK, _BLOCKED = 0, 1, 2, 3, 4

#: A half cycle in which the growing interphases move the stack's electronic leakage
#: conductance by less than this (relative) runs in one piece with the leakage of its start
#: (numerical: it changes the voltage by less than LEAK_RTOL times the leaked share).
LEAK_RTOL = 1e-3


class _Layers:
    """What the front tracker needs of each layer.

    ``transparent_middle=True`` makes every non-polymer layer conduct electrons at once (the
    counterfactual run that tells whether the outcome depends on the middle layer).
    """

    def __init__(self, stack, prm, transparent_middle: bool = False):
        T = stack.temperature
        self.names = [l.name for l in stack.layers]
        self.L = np.array([l.thickness for l in stack.layers])
        n = len(self.names)
        self.kind = np.zeros(n, dtype=int)
        self.vcoef = np.zeros(n)       # v = vcoef |J|   [m/s per A/m2]
        self.c0 = np.ones(n)
        self.k = np.zeros(n)
        self.law = ["parabolic"] * n
        self.path_res = np.zeros(n)    # L / sigma_path  [ohm m2]
        self.eta_crit = np.full(n, math.inf)
        self.how = [""] * n
        self.paths: list[MiddleLayerPath | None] = [None] * n
        # electronic resistivities [ohm m] of each layer and of its interphase (the leak, interphase.py)
        self.rho_e = np.array([_resistivity(l.electronic_conductivity(T)) for l in stack.layers])
        self.rho_int = np.full(n, math.inf)
        # Li | ceramic contact (stack pressure, creep, voids) and the flaw population
        self.a_max = largest_flaw(stack.area, prm.flaw_size, prm.flaw_weibull_modulus)
        self.a_rest = contact_fraction(stack.pressure, prm.li_hardness, prm.contact_floor)
        self.j_void = prm.pressed_stripping_limit(stack)
        self.rc_tip = resistance_at(prm.contact_resistance, prm.contact_activation_energy, T)
        self.rc_left = electrode_contact_resistance(stack.interfaces[0], prm, T)
        self.rc_right = electrode_contact_resistance(stack.interfaces[-1], prm, T)
        self.v_fil = filament_velocity(1.0, prm.filament_fraction)   # [m/s per A/m2]
        self.suppressed = np.zeros(n, dtype=bool)   # Monroe-Newman: stiff enough to stop dendrites
        # a dendrite tip arriving at layer i from the left / right: effective contact ASR and current share
        self.tip_rc = {(i, side): c for i in range(n) for side in ("left", "right")
                       if (c := tip_contact(stack, prm, i, side, T)) is not None}
        for i, l in enumerate(stack.layers):
            if l.kind == "polymer":
                g = layer_shear_modulus(l)
                self.suppressed[i] = g is not None and monroe_newman_ratio(g) >= MONROE_NEWMAN_RATIO
                self.kind[i] = _POLY
                tp = l.transference_number()
                c0 = l.salt_concentration()
                self.c0[i] = c0
                self.vcoef[i] = prm.enhancement * (1.0 - tp) / (F * c0)
                self.how[i] = "dendrite"
                continue
            if transparent_middle:
                self.kind[i] = _INTRINSIC
                self.how[i] = "assumed transparent"
                continue
            path = middle_layer_path(l, T)
            self.paths[i] = path
            if path.fracture_toughness:
                self.eta_crit[i] = griffith_overpotential(path.fracture_toughness, self.a_max)
            if path.kind in ("reduction", "lithiation"):
                self.kind[i] = _GROW if path.growth_constant > 0 else _CRACK
                self.k[i] = path.growth_constant
                self.law[i] = path.law
                sig = path.path_conductivity
                self.path_res[i] = l.thickness / sig if sig > 0 else math.inf
                self.rho_int[i] = _resistivity(sig)
                self.how[i] = f"{path.kind} interphase"
            elif path.kind == "intrinsic":
                self.kind[i] = _INTRINSIC
                sig = path.path_conductivity
                self.path_res[i] = l.thickness / sig if sig > 0 else math.inf
                self.how[i] = "intrinsic electronic conduction"
            elif path.kind == "crack":
                self.kind[i] = _CRACK
                self.how[i] = "crack"
            else:
                self.kind[i] = _CRACK if math.isfinite(self.eta_crit[i]) else _BLOCKED
                self.how[i] = "crack" if math.isfinite(self.eta_crit[i]) else "blocked"


def _resistivity(sigma: float) -> float:
    """1 / sigma [ohm m], inf for an insulator."""
    return 1.0 / sigma if sigma > 0 else math.inf


@dataclass
class _Front:
    side: str            # "left" front grows from the left electrode (layer index increases)
    layer: int           # layer the tip is in
    depth: float = 0.0   # [m] into that layer, from the front's side
    nucleated: bool = False
    contact: float | None = None   # time the tip touched a middle layer
    spanned: list = field(default_factory=list)   # (layer, how) crossed so far
    rc: float = 0.0                # Li | ceramic charge-transfer ASR at the contact [ohm m2]
    void: float = 0.0              # stripped-but-not-resupplied thickness at the contact [m]
    crack_open: bool = False       # a flaw at the contact has opened
    crack_depth: float = 0.0       # [m] of the Li filament in the layer
    chem_depth: float = 0.0        # [m] of the interphase in the layer
    pressed: bool = False          # the contact is the electrode foil pressed on a ceramic (voids can open)
    share: float = 1.0             # share of the current the contact carries (a dendrite tip: < 1)

    def step(self) -> int:
        return 1 if self.side == "left" else -1


def _interp_cross(t0, t1, y0, y1, level):
    """Time where a linear interpolant from (t0, y0) to (t1, y1) falls to ``level``."""
    if y1 == y0:
        return t1
    return t0 + (t1 - t0) * min(max((y0 - level) / (y0 - y1), 0.0), 1.0)


class _Tracker:
    def __init__(self, stack, prm, layers: _Layers):
        self.stack = stack
        self.prm = prm
        self.ly = layers
        n = len(layers.names)
        self.n = n
        self.left = _Front("left", 0, rc=layers.rc_left)
        self.right = _Front("right", n - 1, rc=layers.rc_right)
        self.events: list[dict] = []
        self.met_time: float | None = None
        self.void_seen: set = set()
        # a middle layer touching an electrode is in contact from the start
        for fr in (self.left, self.right):
            if layers.kind[fr.layer] != _POLY:
                fr.contact = 0.0
                fr.pressed = True

    def met(self) -> bool:
        if self.met_time is not None:
            return True
        a, b = self.left, self.right
        if a.layer > b.layer:
            return True
        if a.layer == b.layer:
            return a.depth + b.depth >= self.ly.L[a.layer] * (1 - 1e-12)
        return False

    def _advance_layer(self, fr: _Front, t: float, how: str):
        i = fr.layer
        fr.spanned.append((i, how))
        self.events.append({"kind": "layer_crossed", "time_s": t, "layer": self.ly.names[i], "front": fr.side,
                            "how": how})
        fr.layer = i + fr.step()
        fr.depth = 0.0
        fr.nucleated = False
        fr.void = fr.crack_depth = fr.chem_depth = 0.0
        fr.crack_open = False
        # from now on the contact is a dendrite / filament tip (arriving from the front's own side)
        fr.rc, fr.share = self.ly.tip_rc.get((fr.layer, fr.side), (self.ly.rc_tip, 1.0))
        fr.pressed = False
        fr.contact = t if 0 <= fr.layer < self.n and self.ly.kind[fr.layer] != _POLY else None
        if self.met() or not 0 <= fr.layer < self.n:
            self._mark_met(t)

    def _mark_met(self, t: float):
        if self.met_time is None:
            self.met_time = float(t)

    def process(self, sol, t_offset: float, first_current: float | None = None):
        """Advance both fronts over one solver solution; returns the index of the sample at
        which the fronts met (or None) and the per-sample front depths. ``first_current`` [A/m2]
        replaces the current of the first sample (a run from a state reports 0 there; a sample of
        a half cycle run piece by piece, :func:`_half_cycle`, carries the half cycle's current)."""
        t = sol.time + t_offset
        J = sol.ionic_current_density
        if first_current is not None and J.size:
            J = J.copy()
            J[0] = first_current
        nt = t.size
        depth_l = np.zeros((nt, self.n))
        depth_r = np.zeros((nt, self.n))
        faces = {name: (sol.face_concentration(name, "left"), sol.face_concentration(name, "right"))
                 for name in sol.layer_names}
        eta = sol.overpotentials
        itf_names = [i.name for i in self.stack.interfaces]
        # salt depletion events of the solver: (layer, face side, absolute time)
        self.depletions = [(e.layer, "left" if e.detail.startswith("left") else "right", e.time_s + t_offset)
                           for e in sol.events if e.kind == "salt_depletion"]
        met_at = None
        for k in range(1, nt):
            t0, t1 = t[k - 1], t[k]
            dt = t1 - t0
            j = 0.5 * (J[k - 1] + J[k])
            if dt <= 0:
                self._record(depth_l, depth_r, k)
                continue
            plating = self.right if j > 0 else self.left if j < 0 else None
            stripping = self.left if j > 0 else self.right if j < 0 else None
            for fr in (self.left, self.right):
                self._chemical(fr, t0, t1)
                self._contact(fr, abs(j) if fr is stripping else 0.0, t0, dt)
            if stripping is not None:
                self._dissolve(stripping, abs(j), dt)
            if plating is not None:
                self._grow(plating, abs(j), t0, t1, k, faces, eta, itf_names)
            self._record(depth_l, depth_r, k)
            if self.met() or self.left.layer >= self.n or self.right.layer < 0:
                met_at = k
                for kk in range(k + 1, nt):
                    self._record(depth_l, depth_r, kk)
                break
        self._record(depth_l, depth_r, 0)
        return met_at, depth_l, depth_r

    def _record(self, dl, dr, k):
        for fr, d in ((self.left, dl), (self.right, dr)):
            for i, how in fr.spanned:
                d[k, i] = self.ly.L[i]
            if 0 <= fr.layer < self.n:
                d[k, fr.layer] = fr.depth

    def _contact(self, fr: _Front, j_strip: float, t0: float, dt: float):
        """Voids at a Li foil pressed on a ceramic: stripping above J_void opens them, creep closes
        them (:mod:`cellsim.shortcircuit.contact`). Only electrode contacts: a dendrite tip that
        reached a ceramic through a polymer dissolves back into the polymer on stripping (the
        polymer keeps the ionic path) instead of opening voids under a pressed foil."""
        if not fr.pressed or fr.contact is None or not 0 <= fr.layer < self.n or self.ly.kind[fr.layer] == _POLY:
            return
        jv = self.ly.j_void
        if j_strip > jv:
            fr.void += OMEGA_LI * (j_strip - jv) / F * dt
            key = (fr.side, fr.layer)
            if key not in self.void_seen:
                self.void_seen.add(key)
                self.events.append({"kind": "void_formation", "time_s": float(t0), "layer": self.ly.names[fr.layer],
                                    "front": fr.side, "current_density_A_m2": float(j_strip),
                                    "critical_stripping_current_A_m2": float(jv)})
        elif fr.void > 0:
            fr.void = max(0.0, fr.void - OMEGA_LI * jv / F * dt)

    def _chemical(self, fr: _Front, t0, t1):
        """Interphase growth from a contact (chemical, in both half cycles)."""
        ly = self.ly
        while 0 <= fr.layer < self.n and ly.kind[fr.layer] in (_GROW, _INTRINSIC) and fr.contact is not None:
            i = fr.layer
            if ly.kind[i] == _INTRINSIC:
                fr.depth = ly.L[i]
                self._advance_layer(fr, max(fr.contact, t0), ly.how[i])
                continue
            x = interphase_thickness(max(t1 - fr.contact, 0.0), ly.k[i], ly.law[i])
            if x >= ly.L[i]:
                tc = fr.contact + interphase_time(ly.L[i], ly.k[i], ly.law[i])
                fr.depth = ly.L[i]
                self._advance_layer(fr, tc, ly.how[i])
                continue
            fr.chem_depth = x
            fr.depth = max(fr.chem_depth, fr.crack_depth)
            break

    def _dissolve(self, fr: _Front, j, dt):
        ly = self.ly
        if 0 <= fr.layer < self.n and ly.kind[fr.layer] == _POLY:
            fr.nucleated = False
            if fr.depth > 0:
                fr.depth = max(0.0, fr.depth - (1.0 - self.prm.dead_fraction) * ly.vcoef[fr.layer] * j * dt)

    def _nucleate(self, fr: _Front, i: int, j, t0, t1, tnow, k, faces):
        """Sand nucleation at the plating face of polymer layer i; the nucleation time or None."""
        ly = self.ly
        cl, cr = faces[ly.names[i]]
        c = cr if fr.side == "right" else cl
        level = self.prm.nucleation_threshold * ly.c0[i]
        if c[k] >= level:
            return None
        # the solver's own depletion time (its event) where it has one in this interval, else the
        # linear interpolation between the samples
        tev = [te for (name, side, te) in self.depletions
               if name == ly.names[i] and side == fr.side and t0 - 1e-9 <= te <= t1 + 1e-9]
        tn = max(tev[0] if tev else _interp_cross(t0, t1, c[k - 1], c[k], level), tnow)
        fr.nucleated = True
        self.events.append({"kind": "nucleation", "time_s": float(tn), "layer": ly.names[i],
                            "front": fr.side, "current_density_A_m2": float(j)})
        return tn

    def _grow_polymer(self, fr: _Front, i: int, j, tnow, t1):
        """Dendrite growth in polymer layer i; returns the time reached, or None to stop."""
        ly = self.ly
        v = ly.vcoef[i] * j
        other = self.right if fr is self.left else self.left
        reach = ly.L[i] - (other.depth if other.layer == i else 0.0)  # where it meets the other front
        need = (reach - fr.depth) / v if v > 0 else math.inf
        if tnow + need <= t1:
            tnow += max(need, 0.0)
            fr.depth = reach
            if reach < ly.L[i] * (1 - 1e-12):
                self._mark_met(tnow)
                self.events.append({"kind": "fronts_met", "time_s": float(tnow), "layer": ly.names[i]})
                return None
            self._advance_layer(fr, tnow, ly.how[i])
            return tnow
        fr.depth += v * (t1 - tnow)
        return None

    def _crack(self, fr: _Front, i: int, j, tnow, t1):
        """Crack initiation at the largest flaw under the contact, then filament propagation;
        returns the time reached, or None to stop (:mod:`cellsim.shortcircuit.fracture`)."""
        ly = self.ly
        if not fr.crack_open:
            a = void_contact(ly.a_rest, fr.void, self.prm.asperity_height)
            e = self.prm.focusing * j * fr.rc / a
            if e < ly.eta_crit[i]:
                return None
            fr.crack_open = True
            self.events.append({"kind": "crack_initiation", "time_s": float(tnow), "layer": ly.names[i],
                                "front": fr.side, "overpotential_V": float(e), "griffith_V": float(ly.eta_crit[i]),
                                "contact_fraction": float(a), "current_density_A_m2": float(j)})
        v = ly.v_fil * j * fr.share
        need = (ly.L[i] - fr.crack_depth) / v if v > 0 else math.inf
        if tnow + need <= t1:
            tnow += max(need, 0.0)
            fr.crack_depth = fr.depth = ly.L[i]
            self._advance_layer(fr, tnow, "crack")
            return tnow
        fr.crack_depth += v * (t1 - tnow)
        fr.depth = max(fr.chem_depth, fr.crack_depth)
        if self.met():
            self._mark_met(t1)
        return None

    def _grow(self, fr: _Front, j, t0, t1, k, faces, eta, itf_names):
        ly = self.ly
        tnow = t0
        while tnow is not None and tnow < t1 and 0 <= fr.layer < self.n:
            i = fr.layer
            if ly.kind[i] == _POLY:
                if ly.suppressed[i]:
                    return
                if not fr.nucleated:
                    tnow = self._nucleate(fr, i, j, t0, t1, tnow, k, faces)
                    if tnow is None:
                        return
                tnow = self._grow_polymer(fr, i, j, tnow, t1)
                continue
            if not math.isfinite(ly.eta_crit[i]):
                return
            tnow = self._crack(fr, i, j, tnow, t1)

    def _how_in_layer(self, fr: _Front) -> str:
        """What a front inside a layer is made of (crack filament, interphase or dendrite)."""
        if fr.depth <= 0:
            return ""
        if self.ly.kind[fr.layer] == _POLY:
            return self.ly.how[fr.layer]
        return "crack" if fr.crack_depth >= fr.chem_depth else self.ly.how[fr.layer]

    # ---------------------------------------------------------------- feedback on the transport problem
    def snapshot(self):
        """The mutable state (fronts, events, met time, voids seen), to :meth:`restore` a half cycle
        (events are only ever appended: their number is enough)."""
        return (copy.deepcopy(self.left), copy.deepcopy(self.right), len(self.events), self.met_time,
                set(self.void_seen))

    def restore(self, snap):
        self.left, self.right, n_events, self.met_time, self.void_seen = snap
        del self.events[n_events:]

    def feedback_active(self, t: float, horizon: float) -> bool:
        """Whether a front will change the transport problem between ``t`` and ``t + horizon`` [s]:
        a dendrite inside a polymer layer, a Li filament inside a middle layer, or an interphase
        whose growth moves the leakage conductance by more than ``LEAK_RTOL``."""
        for fr in (self.left, self.right):
            if 0 <= fr.layer < self.n and fr.depth > 0 and (self.ly.kind[fr.layer] == _POLY or fr.crack_depth > 0):
                return True
        return self._leak_moves(t, horizon)

    def _leak_moves(self, t: float, horizon: float) -> bool:
        """Whether the interphases growing by ``t + horizon`` change the leakage conductance by
        more than ``LEAK_RTOL`` (relative)."""
        ly = self.ly
        grow = [fr for fr in (self.left, self.right)
                if 0 <= fr.layer < self.n and ly.kind[fr.layer] == _GROW and fr.contact is not None]
        if not grow:
            return False
        g0 = leak_conductance(self.leak_asr())
        saved = [fr.chem_depth for fr in grow]
        for fr in grow:
            i = fr.layer
            fr.chem_depth = min(interphase_thickness(max(t + horizon - fr.contact, 0.0), ly.k[i], ly.law[i]), ly.L[i])
        g1 = leak_conductance(self.leak_asr())
        for fr, x in zip(grow, saved):
            fr.chem_depth = x
        return abs(g1 - g0) > LEAK_RTOL * max(g0, g1)

    def touched(self) -> bool:
        """Whether any front has left its electrode (the stack's own leakage no longer applies)."""
        return any(fr.depth > 0 or fr.spanned for fr in (self.left, self.right))

    def polymer_fronts(self, poly_index):
        """Depths [m] of the dendrites in each polymer layer (stack indices ``poly_index``) from its
        left and right faces: the parts of the layers the solver leaves out (``set_fronts``). A layer a
        front has crossed keeps its full thickness: its dendrite tips touch the next layer and the
        polymer is in parallel with them (:func:`~cellsim.shortcircuit.fracture.tip_contact_resistance`)."""
        left = [max(self.left.depth, 0.0) if self.left.layer == i else 0.0 for i in poly_index]
        right = [max(self.right.depth, 0.0) if self.right.layer == i else 0.0 for i in poly_index]
        return left, right

    def leak_asr(self) -> float:
        """Electronic ASR of the stack with the fronts as they are [ohm m2]: the series sum of
        :func:`~cellsim.shortcircuit.interphase.layer_electronic_asr` over the layers (a spanned
        layer: 0 for Li, its interphase or own resistance otherwise)."""
        ly = self.ly
        spans = {i: how for fr in (self.left, self.right) for i, how in fr.spanned}
        r = 0.0
        for i in range(self.n):
            if i in spans:
                r += 0.0 if spans[i] in ("dendrite", "crack") else ly.path_res[i]
                continue
            inter = metal = 0.0
            for fr in (self.left, self.right):
                if fr.layer != i:
                    continue
                if ly.kind[i] == _POLY:
                    metal += fr.depth
                else:
                    metal += fr.crack_depth
                    inter += max(fr.chem_depth - fr.crack_depth, 0.0)
            r += layer_electronic_asr(ly.L[i], inter, metal, ly.rho_e[i], ly.rho_int[i])
        return r

    def path(self):
        """Layers spanned by the fronts and the electronic path's ASR [ohm m2]."""
        spans = {}
        for fr in (self.left, self.right):
            for i, how in fr.spanned:
                spans[i] = how
        a, b = self.left, self.right
        if a.layer == b.layer and 0 <= a.layer < self.n and a.layer not in spans:
            spans[a.layer] = " + ".join(sorted({self._how_in_layer(a), self._how_in_layer(b)} - {""}))
        r = 0.0
        for i, how in spans.items():
            if how in ("dendrite", "crack"):
                continue
            share = 1.0
            if "crack" in how and a.layer == b.layer == i:
                # a filament from one side met an interphase from the other: only the interphase part resists
                crack = max(a.crack_depth, b.crack_depth)
                share = max(0.0, 1.0 - crack / self.ly.L[i])
            r += self.ly.path_res[i] * share
        return spans, r / self.prm.contact_fraction


def _no_short_text(tr: _Tracker, layers: _Layers) -> str:
    parts = []
    for fr in (tr.left, tr.right):
        crossed = ", ".join(f"{layers.names[i]} ({how})" for i, how in fr.spanned) or "nothing"
        if 0 <= fr.layer < tr.n:
            i = fr.layer
            where = f"stopped in {layers.names[i]} at {fr.depth * 1e6:.3g} um of {layers.L[i] * 1e6:.4g} um"
            if layers.kind[i] == _BLOCKED:
                where += " (blocked)"
        else:
            where = "reached the other electrode"
        parts.append(f"{fr.side} front crossed {crossed}, {where}")
    return "no short within the protocol; " + "; ".join(parts)
