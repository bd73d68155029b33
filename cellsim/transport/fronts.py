"""Moving electrode fronts inside a polymer layer: the remap of the transport domain.

A dendrite front that has grown a depth ``x_L`` from a layer's left face (``x_R`` from its
right face) is the new electrode (Brissot et al., J. Power Sources 81-82 (1999) 925;
Chazalviel, Phys. Rev. A 42 (1990) 7355): Li deposits and dissolves at the front and the
electrolyte behind it, shorted by the metal, carries no current. The layer's transport
domain is then ``[x_L, L - x_R]``; the solver (:meth:`.TransportProblem.set_fronts`) gives
it the grid a layer of thickness ``L - x_L - x_R`` would get (:func:`.grid.layer_grid`),
so a front held still is exactly a thinner layer.

When a front moves, the cell averages are carried over by :func:`remap_cells`:

* the salt of the volume a front sweeps is kept in the domain and added to the cell at
  the front. This is the anion-blocking condition at a *moving* boundary (the anions do
  not enter the metal: their flux relative to the front vanishes, ``N_- = c v`` at the
  front; Crank, *Free and Moving Boundary Problems*, 1984, ch. 1), integrated over the
  sample interval;
* a receding front (stripping, or a front that has crossed the layer and is given back its
  thickness) re-opens electrolyte: the profile is extended with zero gradient and scaled so
  that the layer keeps its salt (the anions pushed ahead come back with the electrolyte).

The salt of a polymer layer is therefore conserved whatever its fronts do.

Everything else is conservative overlap averaging of the piecewise-constant profile
(first order in the cell width).
"""

from __future__ import annotations

import numpy as np

__all__ = ["remap_cells", "active_length"]

#: The shortest transport domain a layer keeps, as a fraction of its thickness: fronts that
#: would leave less have met (the short-circuit tracker reports the short first).
MIN_FRACTION = 1e-3


def active_length(thickness: float, x_left: float, x_right: float) -> float:
    """Length of the transport domain ``L - x_L - x_R`` [m], at least ``MIN_FRACTION L``."""
    return max(thickness - max(x_left, 0.0) - max(x_right, 0.0), MIN_FRACTION * thickness)


def remap_cells(c_old: np.ndarray, x_old: float, w_old: np.ndarray, x_new: float, w_new: np.ndarray) -> np.ndarray:
    """Cell averages on a moved domain [mol/m3] (module docstring).

    Parameters
    ----------
    c_old : ndarray
        Cell averages on the old domain [mol/m3].
    x_old, x_new : float
        Left end of the old / new domain, measured from the layer's left face [m].
    w_old, w_new : ndarray
        Cell widths of the old / new domain [m].

    Returns
    -------
    ndarray
        Averages on the new cells: overlap averages of the old profile extended with zero
        gradient, plus the salt of the swept parts of the old domain in the end cells, scaled
        down when electrolyte was re-opened: ``sum(c_new w_new) = sum(c_old w_old)``.
    """
    e_old = x_old + np.concatenate([[0.0], np.cumsum(w_old)])
    e_new = x_new + np.concatenate([[0.0], np.cumsum(w_new)])
    lo, hi = min(e_old[0], e_new[0]), max(e_old[-1], e_new[-1])
    e_ext = np.concatenate([[lo], e_old[1:-1], [hi]])    # end cells stretched: zero-gradient extension
    w_ext = np.diff(e_ext)
    s_ext = np.concatenate([[0.0], np.cumsum(c_old * w_ext)])
    s_new = np.interp(e_new, e_ext, s_ext)
    c_new = np.diff(s_new) / w_new
    swept_left = max(np.interp(e_new[0], e_ext, s_ext) - np.interp(e_old[0], e_ext, s_ext), 0.0)
    swept_right = max(np.interp(e_old[-1], e_ext, s_ext) - np.interp(e_new[-1], e_ext, s_ext), 0.0)
    c_new[0] += swept_left / w_new[0]
    c_new[-1] += swept_right / w_new[-1]
    total_old, total_new = float(c_old @ w_old), float(c_new @ w_new)
    if total_new > total_old > 0:   # electrolyte re-opened behind a receding front: same salt, more room
        c_new *= total_old / total_new
    return c_new
