"""The result of a transport simulation: time series, profiles, voltage parts and events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class Event:
    """Something that happened during a simulation.

    Attributes
    ----------
    kind : str
        ``salt_depletion`` (a polymer face reached the depletion threshold: Sand's time,
        physics.md §2.1.4), ``voltage_limit``, ``current_limit`` (a step's end condition)
        or ``limit_not_reached`` (a step with only an end condition ran for
        ``SolverOptions.max_duration``).
    time_s : float
        When [s].
    layer : str or None
        The polymer layer (for ``salt_depletion``).
    detail : str
        Human-readable detail (which face, which step).
    """

    kind: str
    time_s: float
    layer: str | None = None
    detail: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind, "time_s": self.time_s, "layer": self.layer, "detail": self.detail}


class _cached:
    """A read-once attribute: computed on first access and stored on the instance (no lock,
    unlike functools.cached_property on Python 3.11)."""

    def __init__(self, fn):
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Solution:
    """Time series of a simulated stack (SI units), made by :meth:`TransportProblem.run`.

    Attributes
    ----------
    time : ndarray, (n_t,)
        [s].
    voltage : ndarray, (n_t,)
        Cell voltage phi(left) - phi(right) [V]; the sum of ``voltage_parts``.
    current_density : ndarray, (n_t,)
        External current density [A/m2] (ionic + electronic leakage).
    ionic_current_density : ndarray, (n_t,)
        Ionic current density through the electrolyte [A/m2].
    voltage_parts : dict
        ``"ohmic <layer>"``, ``"concentration <layer>"``, ``"interface <interface>"`` -> [V].
    overpotentials : dict
        Interface name -> double-layer / charge-transfer overpotential eta [V] (without SEI).
    step : ndarray of int, (n_t,)
        Index of the protocol step each point belongs to (-1 for the initial point).
    events : list of Event
    layer_names : list of str
        The binary polymer layers that carry a concentration.
    area : float
        Stack area [m2].
    stats : dict
        ``time_steps`` (accepted steps; 1 per exactly integrated step) and ``attempts``.
    final_state : tuple
        ``(c, eta)`` at the end, to start another run from (``TransportProblem.run(state=)``).
    step_memory : numpy.ndarray or None
        The time stepper's step size, current and face-value history at the end (None when the
        last step was integrated exactly): a run that continues the same current from
        ``final_state`` goes on with them (``TransportProblem.run(memory=)``).

    Notes
    -----
    The time series are row views of the solver's output array (rows as in the
    :mod:`._kernels` docstring, "Packed arrays"), made on first access; concentration
    profiles of exactly integrated steps are rebuilt from their mode amplitudes on first use.
    """

    def __init__(self, out, n, layout, steps, events, layer_names, area, stats=None, c=None, c_init=None,
                 modal=None, offsets=None, widths=None, profiles=True):
        self._out = out[:, :n]   # the kernels' output rows (rows, n_t), a view
        self._n = n              # points
        self._layout = layout    # (P, K, part names, interface names, {(layer, side): output row})
        self._steps = steps      # [(protocol step index, number of points), ...]
        self.events = events
        self.layer_names = layer_names
        self.area = area
        self.stats = stats if stats is not None else {}
        self._c = c              # (n_t, N) profiles, or None (made on first use)
        self._c_init = c_init    # row 0 when _c is None
        self._modal = modal
        self._offsets = offsets
        self._widths = widths
        self._final = None       # (c, eta, z or None, (Qf, sq, off, ncell)); see final_state
        self.step_memory = None  # the time stepper's memory at the end (TransportProblem.run(memory=))
        self._kept = profiles    # False: SolverOptions(profiles=False), no concentration profiles

    @property
    def final_state(self) -> tuple:
        """``(c, eta)`` at the end [mol/m3], [V]: start another run from it (``state=``)."""
        c, eta, z, modes = self._final
        if z is not None:  # the last step was exact: cell averages from its mode amplitudes
            from ._kernels import modal_cells
            if c is None:
                c = np.empty(z.size)
            modal_cells(z, *modes, c)
            self._final = (c, eta, None, modes)
        return c, eta

    def _row(self, r) -> np.ndarray:
        return self._out[r]

    @_cached
    def time(self) -> np.ndarray:
        return self._row(0)

    @_cached
    def ionic_current_density(self) -> np.ndarray:
        return self._row(1)

    @_cached
    def current_density(self) -> np.ndarray:
        return self._row(2)

    @_cached
    def voltage(self) -> np.ndarray:
        return self._row(3)

    @_cached
    def voltage_parts(self) -> dict:
        P, K, part_names = self._layout[:3]
        r = 4 + 2 * P + K
        return dict(zip(part_names, self._out[r:r + len(part_names)]))

    @_cached
    def overpotentials(self) -> dict:
        P, K, _, interface_names = self._layout[:4]
        r = 4 + 2 * P
        return dict(zip(interface_names, self._out[r:r + K]))

    @_cached
    def step(self) -> np.ndarray:
        return np.repeat(np.array([s for s, _ in self._steps], dtype=np.int64),
                         [m for _, m in self._steps])[:self._n]

    def __repr__(self) -> str:
        t = self.time
        span = f"{t[0]:g}..{t[-1]:g} s" if t.size else "empty"
        return (f"Solution({t.size} points, {span}, layers {self.layer_names}, "
                f"events {[e.kind for e in self.events]})")

    def _profiles(self) -> np.ndarray:
        """All cell averages (n_t, n_cells). Rows of exactly integrated (modal) steps are
        rebuilt here on first use from their mode amplitudes: z = A e^(lam tau) + B + Bt tau,
        c = V^(-1/2) Q z (physics unchanged; it only defers the work to when it is asked for).
        When every step was exact, the array itself is made here (row 0: ``_c_init``)."""
        if not self._kept:
            raise InputError("concentration", "not kept", "a Solution of SolverOptions(profiles=True) (the "
                             "default); this one keeps only the time series and face concentrations")
        if self._c is None:
            self._c = np.empty((self._n, self._c_init.size))
            self._c[0] = self._c_init
            self._c_init = None
        if self._modal is not None:
            records, lam, Qf, sq, off, ncell = self._modal
            for i0, i1, t_step, (A, B, Bt) in records:
                tau = self.time[i0:i1] - t_step
                x = np.clip(lam[None, :] * tau[:, None], -745.0, 0.0)
                z = A[None, :] * np.exp(x) + B[None, :] + Bt[None, :] * tau[:, None]
                rows = self._c[i0:i1]
                for a, n in zip(off, ncell):
                    sl = slice(int(a), int(a + n))
                    rows[:, sl] = (z[:, sl] @ Qf[sl, sl].T) / sq[sl]
            self._modal = None
        return self._c

    @property
    def current(self) -> np.ndarray:
        """External current [A]."""
        return self.current_density * self.area

    def _layer(self, layer) -> str:
        if isinstance(layer, int):
            if not -len(self.layer_names) <= layer < len(self.layer_names):
                raise InputError("layer", layer, f"an index in 0..{len(self.layer_names) - 1}")
            return self.layer_names[layer]
        for n in self.layer_names:
            if n == layer or n.lower() == str(layer).lower():
                return n
        raise InputError("layer", layer, "a polymer layer: " + (", ".join(self.layer_names) or "none"))

    def x(self, layer) -> np.ndarray:
        """Cell-centre positions [m] in ``layer``, from its left face."""
        w = self._widths[self._layer(layer)]
        edges = np.concatenate([[0.0], np.cumsum(w)])
        return 0.5 * (edges[1:] + edges[:-1])

    def cell_widths(self, layer) -> np.ndarray:
        """Cell widths [m] in ``layer``."""
        return self._widths[self._layer(layer)].copy()

    def concentration(self, layer) -> np.ndarray:
        """Cell-average salt concentration [mol/m3], shape (n_t, n_x)."""
        a, b = self._offsets[self._layer(layer)]
        return self._profiles()[:, a:b]

    def face_concentration(self, layer, side: str) -> np.ndarray:
        """Salt concentration extrapolated to the ``left`` or ``right`` face [mol/m3], (n_t,)."""
        row = self._layout[4].get((layer, side))  # exact names: no search
        if row is not None:
            return self._out[row]
        name = self._layer(layer)
        p = self.layer_names.index(name)
        if side not in ("left", "right"):
            raise InputError("side", side, "'left' or 'right'")
        return self._row(4 + p if side == "left" else 4 + self._layout[0] + p)

    def salt_amount(self, layer) -> np.ndarray:
        """Salt per area in ``layer``, sum of c_i dx_i [mol/m2], (n_t,)."""
        return self.concentration(layer) @ self._widths[self._layer(layer)]

    def as_dict(self) -> dict:
        """The JSON form of SPEC §3 (``cellsim simulate --json``)."""
        return {"time_s": self.time, "voltage_V": self.voltage, "current_density_A_m2": self.current_density,
                "events": [e.as_dict() for e in self.events]}
