"""What the lifetime model needs of a symmetric cell: Li | polymer (| middle layer | polymer) | Li.

Each electrode has its polymer neighbour (where SEI, dead Li and the deposit front grow);
the optional middle layer is crossed as the step-up tracker crosses it
(:class:`~cellsim.shortcircuit.mechanisms.MiddleLayerPath`: a reduction / lithiation
interphase grown from the front's contact, the layer's own electronic conduction, or a crack
when the deposition overpotential at the tip's contact passes the Griffith/Porz limit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..constants import F
from ..errors import InputError

__all__ = ["CellGeometry", "cell_geometry"]


@dataclass(frozen=True)
class CellGeometry:
    """Per-side and middle-layer constants of a symmetric cell at its temperature (SI).

    Attributes
    ----------
    polymer : tuple of int
        Index of the polymer layer next to the left and the right electrode.
    polymer_thickness, polymer_conductivity : tuple of float
        L [m] and kappa(T) [S/m] of those layers.
    dendrite_coefficient : tuple of float
        ``beta (1 - t+) / (F c0)`` [m/s per A/m2]: Sand dendrite velocity per current density.
    middle : int or None
        Index of the middle layer (None: one polymer layer between the electrodes).
    middle_thickness : float
    middle_kind : str
        Path through the middle layer (reduction, lithiation, intrinsic, crack, blocked).
    middle_growth_constant : float
        Interphase growth constant at T (m2/s parabolic, m/s linear).
    middle_law : str
    middle_path_resistance : float
        ASR of the electronic path once the middle layer is spanned [ohm m2].
    crack_overpotential : tuple of float
        ``focusing |J| R_tip / a`` per A/m2 [V per A/m2] at each side's contact.
    griffith : float
        Overpotential that opens the largest flaw [V] (inf without a fracture toughness).
    filament_coefficient : tuple of float
        Li filament velocity in a crack per A/m2 at each side [m/s per A/m2].
    li_thickness : tuple of float
        Li foil thickness of each electrode [m] (inf when the model gives none).
    """

    polymer: tuple
    polymer_thickness: tuple
    polymer_conductivity: tuple
    dendrite_coefficient: tuple
    middle: int | None
    middle_thickness: float
    middle_kind: str
    middle_growth_constant: float
    middle_law: str
    middle_path_resistance: float
    crack_overpotential: tuple
    griffith: float
    filament_coefficient: tuple
    li_thickness: tuple


def _check_layout(stack):
    if stack.left.kind != "li" or stack.right.kind != "li":
        raise InputError("model electrodes", f"{stack.left.kind}, {stack.right.kind}",
                         "Li on both sides (a symmetric Li | ... | Li cell)")
    kinds = [l.kind for l in stack.layers]
    ok = kinds == ["polymer"] or (len(kinds) == 3 and kinds[0] == kinds[2] == "polymer" and kinds[1] != "polymer")
    if not ok:
        raise InputError("model layers", " | ".join(l.name for l in stack.layers),
                         "Li | polymer | Li or Li | polymer | middle layer | polymer | Li")


def cell_geometry(stack, shortcircuit) -> CellGeometry:
    """The :class:`CellGeometry` of ``stack`` with the short-circuit parameters ``shortcircuit``."""
    from ..shortcircuit.contact import contact_fraction
    from ..shortcircuit.fracture import filament_velocity, largest_flaw
    from ..shortcircuit.margins import tip_contact
    from ..shortcircuit.mechanisms import griffith_overpotential, middle_layer_path

    _check_layout(stack)
    T = stack.temperature
    n = len(stack.layers)
    poly = (0, n - 1)
    L = tuple(stack.layers[i].thickness for i in poly)
    kap = tuple(stack.layers[i].ionic_conductivity(T) for i in poly)
    vco = tuple(shortcircuit.enhancement * (1.0 - stack.layers[i].transference_number())
                / (F * stack.layers[i].salt_concentration()) for i in poly)
    lit = tuple(e.get("thickness", math.inf) for e in (stack.left, stack.right))
    if n == 1:
        return CellGeometry(poly, L, kap, vco, None, 0.0, "", 0.0, "parabolic", 0.0, (0.0, 0.0), math.inf,
                            (0.0, 0.0), lit)
    mid = stack.layers[1]
    path = middle_layer_path(mid, T)
    sig = path.path_conductivity
    r_path = mid.thickness / sig if sig > 0 else math.inf
    a_max = largest_flaw(stack.area, shortcircuit.flaw_size, shortcircuit.flaw_weibull_modulus)
    griffith = griffith_overpotential(path.fracture_toughness, a_max) if path.fracture_toughness else math.inf
    a_rest = contact_fraction(stack.pressure, shortcircuit.li_hardness, shortcircuit.contact_floor)
    eta, fil = [], []
    for side in ("left", "right"):
        rc, share = tip_contact(stack, shortcircuit, 1, side, T)
        eta.append(shortcircuit.focusing * rc / a_rest)
        fil.append(filament_velocity(1.0, shortcircuit.filament_fraction) * share)
    k = path.growth_constant if path.kind in ("reduction", "lithiation") else 0.0
    return CellGeometry(poly, L, kap, vco, 1, mid.thickness, path.kind, k, path.law, r_path, tuple(eta), griffith,
                        tuple(fil), lit)
