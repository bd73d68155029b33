"""Finite-volume grids of the polymer layers, refined geometrically toward both faces.

A layer of thickness L gets ``n`` cells whose widths grow by a constant factor from each
face to the middle, so that the middle cell is ``stretch`` times wider than the face cells
(physics.md §5.1: "a geometric grid refined toward the faces"). With the stretch held fixed
while ``n`` grows, the growth factor tends to 1 as ``stretch**(2/n)``: the grid is a smooth
mapping of a uniform one and the scheme keeps its second order.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def layer_grid(thickness: float, n: int, stretch: float = 10.0) -> np.ndarray:
    """Cell widths [m] of one layer (symmetric, refined toward both faces).

    Parameters
    ----------
    thickness : float
        Layer thickness L [m], > 0.
    n : int
        Number of cells, >= 4.
    stretch : float
        Width of the middle cell / width of a face cell, >= 1 (1 = uniform grid).

    Returns
    -------
    numpy.ndarray
        ``n`` widths summing to ``thickness``.
    """
    if not (isinstance(n, (int, np.integer)) and n >= 4):
        raise InputError("n_cells", n, "an integer >= 4 cells per polymer layer")
    if not (np.isfinite(stretch) and stretch >= 1.0):
        raise InputError("grid_stretch", stretch, "a ratio >= 1 (middle cell / face cell)")
    if not (np.isfinite(thickness) and thickness > 0):
        raise InputError("thickness", thickness, "> 0 m")
    half = n // 2
    k = max(half - 1, 1)
    ratio = stretch ** (1.0 / k)
    w = ratio ** np.arange(half, dtype=float)
    if n % 2:
        widths = np.concatenate([w, [w[-1] * ratio], w[::-1]])
    else:
        widths = np.concatenate([w, w[::-1]])
    return widths * (thickness / widths.sum())


def centres(widths: np.ndarray) -> np.ndarray:
    """Cell-centre positions [m] measured from the layer's left face."""
    edges = np.concatenate([[0.0], np.cumsum(widths)])
    return 0.5 * (edges[1:] + edges[:-1])
