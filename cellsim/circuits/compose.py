"""Stack -> equivalent circuit (SPEC C4).

:func:`compose_circuit` turns a :class:`cellsim.stack.Stack` into a :class:`Circuit`, its
parameter values and, for every parameter, a line of provenance (which layer, interface or
material property it comes from and that value's source). The circuit is the sandwich
circuit of physics.md §2.3, generalised to any stack, as a series of *groups* ordered
roughly from high to low frequency:

1. per layer, the bulk: ``p(R, C)`` with R = L/(sigma S) (seed Eq. 1 solved for R) and the
   geometric capacitance C = eps0 eps_r S/L; a layer without ionic conduction (inert
   filler) is the capacitor C alone;
2. per ceramic or mixed layer whose material gives a ``grain_boundary_conductivity``, the
   brick-layer grain boundary ``p(R, C)``: with r = C_gb/C_bulk =
   ``grain_boundary_capacitance_ratio`` (grain size / boundary width),
   R_gb = L/(sigma_gb r S), C_gb = r eps0 eps_r S/L;
3. per interface (left to right): Li|polymer charge transfer, polymer|ceramic Li+
   transfer, Li|ceramic interphase and cathode interfaces as ``p(R, CPE)`` (``p(R, C)`` when
   the interface gives an ideal capacitance, R alone when it gives neither), with
   R = ASR/S (ASR = R T/(F i0) + R_SEI), Q = q S, C = c S; a blocking electrode (SS, Cu) as
   its double layer ``CPE`` (or ``C``) alone; an ideal interface adds nothing;
4. per salt-diffusion domain, when Li+ can pass the whole stack (no blocking electrode,
   every layer an ionic conductor): the finite-length diffusion element ``Zd``. A domain
   is a binary polymer layer between two anion-blocking faces (Li, a single-ion ceramic,
   a mixed conductor): R_d = 2RTL(1-t+)^2 chi/(F^2 D c0 S), tau = L^2/(4D). Polymer layers
   joined through the percolating polymer-filled pores of composite layers form one
   domain; its Zd has the exact DC resistance (sum of R_d with D_eff = D eps/tortuosity in
   composites) and the tau that matches the O(w) term (:func:`diffusion_time`);
5. electronic paths: a mixed ionic-electronic layer touching exactly one electrode shunts
   that electrode's interface and its own bulk with its electronic resistance
   L/(sigma_e S); and the electronic resistance of the whole stack, sum L_i/(sigma_e,i S),
   is put in parallel with everything when it is finite and not negligible (less than
   ``leakage_threshold`` times the ionic DC resistance; always for blocking cells).

Element names are a prefix and the group index (``p(R0,C0)-p(R1,CPE1)-Zd2``), so the string
can be pasted into impedance.py except for ``Zd``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..constants import EPS0
from ..errors import InputError
from ..formulas import polymer_diffusion_parameters
from .circuit import Circuit

__all__ = ["ComposedCircuit", "compose_circuit", "DEFAULT_GB_CAPACITANCE_RATIO"]

DEFAULT_GB_CAPACITANCE_RATIO = 100.0
"""C_gb/C_bulk used when a material gives a grain-boundary conductivity but no ratio
(Irvine, Sinclair, West, Adv. Mater. 2 (1990) 132: bulk ~pF, grain boundary 1e-11-1e-8 F)."""


@dataclass
class Group:
    """One physical contribution of the composed circuit.

    Attributes
    ----------
    kind : str
        ``bulk``, ``grain_boundary``, ``interface``, ``blocking``, ``diffusion``,
        ``mixed_shunt`` or ``leakage``.
    where : str
        Layer or interface name.
    text : str
        Its piece of circuit string.
    tau : float or None
        Characteristic time [s] (R C, (R Q)^(1/n), or the diffusion tau); None if none.
    resistance : float
        Its DC resistance [ohm] (inf for blocking pieces).
    """

    kind: str
    where: str
    text: str
    tau: float | None
    resistance: float


@dataclass
class ComposedCircuit:
    """A circuit composed from a stack.

    Attributes
    ----------
    circuit : Circuit
    parameters : dict
        Parameter name -> value [SI], in the circuit's parameter order.
    provenance : dict
        Parameter name -> human-readable origin (layer/interface, formula, sources).
    units : dict
        Parameter name -> SI unit.
    groups : list of Group
        The physical contributions in circuit order.
    notes : list of str
        What was left out and why.

    ``circuit, parameters, provenance = compose_circuit(stack)`` also works.
    """

    circuit: Circuit
    parameters: dict
    provenance: dict
    units: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def __iter__(self):
        return iter((self.circuit, self.parameters, self.provenance))

    @property
    def values(self) -> list[float]:
        """Parameter values in circuit order."""
        return [self.parameters[n] for n in self.circuit.parameter_names]

    def impedance(self, frequencies):
        """Z [ohm] of the composed circuit at ``frequencies`` [Hz]."""
        return self.circuit.impedance(frequencies, self.values)


def _fmt(v: float, unit: str = "") -> str:
    return f"{v:.4g} {unit}".strip()


def _src(param) -> str:
    if param is None:
        return "default"
    s = param.source or "no source given"
    return f"{s} [{param.status}]" if getattr(param, "status", "") else s


class _Builder:
    def __init__(self):
        self.params: dict[str, float] = {}
        self.prov: dict[str, str] = {}
        self.units: dict[str, str] = {}
        self.index = 0

    def name(self, prefix: str, k: int) -> str:
        return f"{prefix}{k}"

    def add(self, name: str, value: float, unit: str, prov: str) -> str:
        if not (math.isfinite(value) and value > 0):
            raise InputError(name, value, f"a finite value > 0 {unit} ({prov})")
        self.params[name] = float(value)
        self.prov[name] = prov
        self.units[name] = unit
        return name


def _layer_geometry_text(layer, stack) -> str:
    return f"L = {layer.thickness * 1e6:.4g} um ({layer.thickness_source or 'no source'}), " \
           f"S = {stack.area * 1e4:.4g} cm2 ({stack.provenance.get('area', 'no source')})"


def compose_circuit(stack, temperature: float | None = None, leakage: bool = True,
                    leakage_threshold: float = 1e3) -> ComposedCircuit:
    """Compose the equivalent circuit of a stack.

    Parameters
    ----------
    stack : cellsim.stack.Stack
        The cell.
    temperature : float, optional
        T [K]; default the stack's temperature.
    leakage : bool, optional
        Include electronic paths (mixed-layer shunts and the whole-stack leakage).
    leakage_threshold : float, optional
        The whole-stack electronic resistance R_e is left out when R_e exceeds this factor
        times the ionic DC resistance (it changes Z by less than 1/threshold). Blocking
        cells have an infinite ionic DC resistance, so a finite R_e is always included.

    Returns
    -------
    ComposedCircuit
        ``circuit``, ``parameters`` (name -> SI value), ``provenance`` (name -> text),
        ``units``, ``groups``, ``notes``.
    """
    T = stack.temperature if temperature is None else float(temperature)
    if not (math.isfinite(T) and T > 0):
        raise InputError("temperature", temperature, "a temperature above 0 K")
    S = stack.area
    b = _Builder()
    groups: list[Group] = []
    notes: list[str] = []
    k = 0

    # 1. bulk of each layer; 2. grain boundaries; 3. interfaces; 4. salt diffusion in binary
    # polymer layers; 5. electronic paths. Each step adds its elements to b and its groups.
    bulk_groups, k = _add_bulk(b, groups, notes, stack, T, S, k)
    k = _add_grain_boundaries(b, groups, stack, T, S, k)
    area_src = f"S = {S * 1e4:.4g} cm2 ({stack.provenance.get('area', 'no source')})"
    iface_groups, k = _add_interfaces(b, groups, notes, stack, T, S, k, area_src)
    k = _add_salt_diffusion(b, groups, notes, stack, T, S, k, area_src)
    pieces = [g.text for g in groups]
    if leakage:
        pieces, k = _add_mixed_shunts(b, groups, stack, T, S, k, pieces, bulk_groups, iface_groups, leakage_threshold)
        pieces, k = _add_stack_leakage(b, groups, notes, stack, T, S, k, pieces, leakage_threshold, area_src)

    circuit = Circuit("-".join(pieces))
    names = circuit.parameter_names
    missing = set(names) ^ set(b.params)
    if missing:  # pragma: no cover - internal consistency
        raise RuntimeError(f"composed circuit and parameters disagree: {sorted(missing)}")
    return ComposedCircuit(circuit, {n: b.params[n] for n in names}, {n: b.prov[n] for n in names},
                           {n: b.units[n] for n in names}, groups, notes)


def _add_bulk(b, groups, notes, stack, T, S, k) -> tuple[dict[int, Group], int]:
    """1. The bulk of each layer: p(R, C) (or C alone without ionic conduction)."""
    bulk_groups: dict[int, Group] = {}
    for i, layer in enumerate(stack.layers):
        mat = layer.material
        sigma = layer.ionic_conductivity(T)
        eps_r = layer.relative_permittivity()
        c_geo = EPS0 * eps_r * S / layer.thickness
        geo = _layer_geometry_text(layer, stack)
        eps_src = _src(mat.parameter("relative_permittivity")) if mat.has("relative_permittivity") \
            else "default eps_r = 10 (material gives none)"
        c_name = b.add(f"C{k}", c_geo, "F",
                       f"geometric capacitance of layer {layer.name} ({mat.label}): eps0 eps_r S/L, "
                       f"eps_r = {eps_r:g} ({eps_src}); {geo}")
        if sigma > 0:
            r_b = layer.thickness / (sigma * S)
            if layer.kind == "composite":
                comp = layer.composite
                sig_src = (f"effective conductivity {sigma:.4g} S/m of the {comp.model} composite of "
                           f"{comp.polymer.label} and {comp.ceramic.label}, polymer fraction "
                           f"{comp.polymer_fraction:g} ({comp.source or 'no source'} [{comp.status}])")
            else:
                sig_src = f"sigma = {sigma:.4g} S/m at {T:.2f} K ({_src(mat.parameter('ionic_conductivity'))})"
            r_name = b.add(f"R{k}", r_b, "ohm",
                           f"bulk ionic resistance of layer {layer.name} ({mat.label}): L/(sigma S) "
                           f"(seed Eq. 1); {sig_src}; {geo}")
            g = Group("bulk", layer.name, f"p({r_name},{c_name})", r_b * c_geo, r_b)
        else:
            g = Group("bulk", layer.name, c_name, None, math.inf)
            notes.append(f"layer {layer.name} has no ionic conductivity: its bulk is the capacitor {c_name} alone")
        groups.append(g)
        bulk_groups[i] = g
        k += 1
    return bulk_groups, k


def _add_grain_boundaries(b, groups, stack, T, S, k) -> int:
    """2. The grain boundaries of ceramic layers (brick-layer model): p(R_gb, C_gb)."""
    for layer in stack.layers:
        mat = layer.material
        if layer.kind not in ("ceramic", "mixed") or not mat.has("grain_boundary_conductivity"):
            continue
        s_gb = mat.get("grain_boundary_conductivity", T)
        if mat.has("grain_boundary_capacitance_ratio"):
            ratio = mat.get("grain_boundary_capacitance_ratio")
            r_src = _src(mat.parameter("grain_boundary_capacitance_ratio"))
        else:
            ratio = DEFAULT_GB_CAPACITANCE_RATIO
            r_src = "ASSUMED default C_gb/C_bulk = 100 (Irvine 1990: grain boundary 1e-11-1e-8 F vs bulk pF)"
        eps_r = layer.relative_permittivity()
        c_gb = ratio * EPS0 * eps_r * S / layer.thickness
        r_gb = layer.thickness / (s_gb * ratio * S)
        geo = _layer_geometry_text(layer, stack)
        rn = b.add(f"R{k}", r_gb, "ohm",
                   f"grain-boundary resistance of layer {layer.name} ({mat.label}), brick layer: "
                   f"L/(sigma_gb r S), sigma_gb = {s_gb:.4g} S/m "
                   f"({_src(mat.parameter('grain_boundary_conductivity'))}), r = C_gb/C_bulk = {ratio:g} ({r_src}); {geo}")
        cn = b.add(f"C{k}", c_gb, "F",
                   f"grain-boundary capacitance of layer {layer.name}: r eps0 eps_r S/L, r = {ratio:g} ({r_src}), "
                   f"eps_r = {eps_r:g}; {geo}")
        groups.append(Group("grain_boundary", layer.name, f"p({rn},{cn})", r_gb * c_gb, r_gb))
        k += 1
    return k


def _interface_capacitor(b, itf, label: str, kk: int, S: float, area_src: str):
    """(element name, Q or C [SI], n) of an interface's capacitive element; (None,) * 3 when it has none."""
    p = itf.parameters
    q, n, cap = itf.cpe_q, itf.cpe_n, itf.capacitance
    have_cpe = q is not None and n is not None
    if have_cpe:
        b.add(f"CPE{kk}_0", q * S, "ohm^-1 s^n",
                   f"CPE Q of interface {itf.name} ({label}): q S, q = {q:.4g} F s^(n-1)/m2 "
                   f"({_src(p.get('cpe_q'))}); {area_src}")
        b.add(f"CPE{kk}_1", n, "", f"CPE exponent n of interface {itf.name} ({label}): {_src(p.get('cpe_n'))}")
        return f"CPE{kk}", q * S, n
    if cap is not None:
        cn = b.add(f"C{kk}", cap * S, "F",
                   f"capacitance of interface {itf.name} ({label}): c S, c = {cap * 100:.4g} uF/cm2 "
                   f"({_src(p.get('capacitance'))}); {area_src}")
        return cn, cap * S, 1.0
    return None, None, None


def _add_interfaces(b, groups, notes, stack, T, S, k, area_src) -> tuple[dict[int, Group], int]:
    """3. The interfaces: p(R_ct, CPE or C), or the double layer alone at a blocking electrode."""
    iface_groups: dict[int, Group] = {}
    for j, itf in enumerate(stack.interfaces):
        if itf.kind == "ideal":
            continue
        p = itf.parameters
        label = {"charge_transfer": "Li|polymer charge transfer", "ion_transfer": "polymer|ceramic Li+ transfer",
                 "interphase": "Li|ceramic interphase", "blocking": "blocking-electrode double layer",
                 "cathode": "cathode|electrolyte charge transfer"}.get(itf.kind, itf.kind)
        if itf.kind == "blocking":
            el, qq, nn = _interface_capacitor(b, itf, label, k, S, area_src)
            if el is None:
                raise InputError(f"interface {itf.name!r}", "no capacitance or cpe_q/cpe_n",
                                 "a capacitance or a CPE (cpe_q and cpe_n) for a blocking electrode")
            g = Group("blocking", itf.name, el, None, math.inf)
        else:
            asr = itf.resistance(T)
            if asr <= 0:
                notes.append(f"interface {itf.name} has zero resistance: left out")
                continue
            r = asr / S
            if "exchange_current_density" in p:
                r_src = (f"R T/(F i0), i0 = {itf.exchange_current_density(T):.4g} A/m2 "
                         f"({_src(p.get('exchange_current_density'))})")
            else:
                r_src = f"ASR {itf.charge_transfer_resistance(T) * 1e4:.4g} ohm cm2 ({_src(p.get('resistance'))})"
            if itf.sei_resistance:
                r_src += f" + SEI {itf.sei_resistance * 1e4:.4g} ohm cm2 ({_src(p.get('sei_resistance'))})"
            rn = b.add(f"R{k}", r, "ohm", f"resistance of interface {itf.name} ({label}): ASR/S at {T:.2f} K, "
                                          f"{r_src}; {area_src}")
            el, qq, nn = _interface_capacitor(b, itf, label, k, S, area_src)
            if el is None:
                g = Group("interface", itf.name, rn, None, r)
            else:
                g = Group("interface", itf.name, f"p({rn},{el})", (r * qq) ** (1.0 / nn), r)
        groups.append(g)
        iface_groups[j] = g
        k += 1
    return iface_groups, k


def _add_salt_diffusion(b, groups, notes, stack, T, S, k, area_src) -> int:
    """4. Salt diffusion in binary polymer layers: one Zd per diffusion domain (when DC passes)."""
    layers = stack.layers
    dc_passes = (not stack.left.blocking and not stack.right.blocking
                 and all(l.ionic_conductivity(T) > 0 for l in layers))
    if not dc_passes:
        why = "a blocking electrode" if (stack.left.blocking or stack.right.blocking) else "a layer without ionic conduction"
        for layer in layers:
            if layer.kind in ("polymer", "composite"):
                notes.append(f"no diffusion element for {layer.name}: {why} stops the DC ionic current")
    else:
        for domain in diffusion_domains(layers, notes):
            k = _add_diffusion(b, groups, notes, stack, domain, T, S, k, area_src)
    return k


def _add_mixed_shunts(b, groups, stack, T, S, k, pieces, bulk_groups, iface_groups, leakage_threshold):
    """5a. A mixed-conducting layer at one electrode: its electronic resistance shunts its bulk and that
    electrode's interface. Returns the circuit pieces and the next element index."""
    layers = stack.layers
    for i, layer in enumerate(layers):
        if layer.kind != "mixed":
            continue
        touches = ([0] if i == 0 else []) + ([len(layers)] if i == len(layers) - 1 else [])
        if len(touches) != 1:
            continue  # both sides: the whole-stack path below covers it
        r_e = layer.electronic_resistance(S, T)
        bulk = bulk_groups[i]
        itf = iface_groups.get(touches[0])
        r_ion = bulk.resistance + (itf.resistance if itf else 0.0)
        if not math.isfinite(r_e) or r_e > leakage_threshold * r_ion:
            continue
        rn = b.add(f"R{k}", r_e, "ohm",
                   f"electronic resistance of mixed-conducting layer {layer.name} ({layer.material.label}) "
                   f"shunting its bulk and its electrode interface: L/(sigma_e S), sigma_e = "
                   f"{layer.electronic_conductivity(T):.4g} S/m ({_src(layer.material.parameter('electronic_conductivity'))}); "
                   f"{_layer_geometry_text(layer, stack)}")
        members = [bulk.text] + ([itf.text] if itf else [])
        at = pieces.index(bulk.text)
        for m in members:
            pieces.remove(m)
        pieces.insert(at, f"p({'-'.join(members)},{rn})")
        groups.append(Group("mixed_shunt", layer.name, rn, None, r_e))
        k += 1
    return pieces, k


def _add_stack_leakage(b, groups, notes, stack, T, S, k, pieces, leakage_threshold, area_src):
    """5b. The electronic leakage of the whole stack, in parallel with the ionic circuit, unless it is more
    than ``leakage_threshold`` times the ionic DC resistance. Returns the circuit pieces and the next index."""
    layers = stack.layers
    r_e = stack.electronic_resistance(T)
    if math.isfinite(r_e) and r_e > 0:
        r_dc = math.inf if (stack.left.blocking or stack.right.blocking) else \
            sum(g.resistance for g in groups if g.kind in ("bulk", "grain_boundary", "interface", "diffusion"))
        if r_e < leakage_threshold * r_dc:
            parts = "; ".join(
                f"{l.name}: L/(sigma_e S) = {l.electronic_resistance(S, T):.4g} ohm, sigma_e = "
                f"{l.electronic_conductivity(T):.4g} S/m"
                + (f" ({_src(l.material.parameter('electronic_conductivity'))})"
                   if l.kind != "composite" and l.material.has("electronic_conductivity") else "")
                for l in layers)
            rn = b.add(f"R{k}", r_e, "ohm",
                       f"electronic leakage resistance of the whole stack (in parallel with the ionic "
                       f"circuit): sum L_i/(sigma_e,i S); {parts}; {area_src}")
            pieces = [f"p({'-'.join(pieces)},{rn})"]
            groups.append(Group("leakage", "stack", rn, None, r_e))
            k += 1
        else:
            notes.append(f"electronic leakage R_e = {r_e:.4g} ohm left out: more than {leakage_threshold:g} "
                         f"x the ionic DC resistance {r_dc:.4g} ohm")
    return pieces, k


def _channel(layer):
    """(eps, eps/tau) of the salt-carrying polymer in a layer: (1, 1) for a polymer layer."""
    if layer.kind == "polymer":
        return 1.0, 1.0
    from ..composites.mixing import pore_channel

    comp = layer.composite
    ch = pore_channel(comp.model, comp.polymer_fraction, **dict(comp.params))
    return ch.polymer_fraction, ch.transport_factor


def diffusion_domains(layers, notes) -> list[list[tuple]]:
    """Contiguous runs of salt-carrying layers (polymer, or composite with percolating pores)
    between anion-blocking faces (electrodes, single-ion ceramics, mixed conductors)."""
    domains: list[list[tuple]] = []
    run: list[tuple] = []
    for layer in layers:
        carries = False
        if layer.kind in ("polymer", "composite"):
            eps, phi = _channel(layer)
            carries = phi > 0
            if not carries:
                notes.append(f"layer {layer.name}: its polymer-filled pores do not percolate; it blocks the salt")
        if carries:
            run.append((layer, eps, phi))
        else:
            if run:
                domains.append(run)
            run = []
    if run:
        domains.append(run)
    out = []
    for dom in domains:
        names = {l.electrolyte.name for l, _, _ in dom}
        if len(names) > 1:  # different electrolytes in contact: treat each layer alone
            notes.append("layers " + ", ".join(l.name for l, _, _ in dom) + " hold different electrolytes; "
                         "each gets its own diffusion element as if its faces blocked the anion")
            out.extend([[x] for x in dom])
        else:
            out.append(dom)
    return out


def diffusion_time(lengths, resistivities, capacities) -> float:
    """tau of one finite-diffusion element equivalent to a layered diffusion domain.

    The domain (regions i of length L_i, diffusion resistance per length r_i = 1/D_eff,i
    and salt capacity per length g_i = eps_i) lies between two anion-blocking faces that
    inject and remove salt at the same rate J. Its impedance at low frequency is
    Z = R (1 - j w tau/3 + O(w^2)) with R = sum r_i L_i; matching the first moment
    K = (1/J) int r(x) Q(x) dx, Q(x) = int_0^x g c_0 dx' (c_0 the DC profile with zero mean
    excess salt), gives tau = 3 K / R. For one uniform layer tau = L^2/(4 D).
    """
    G = sum(g * L for g, L in zip(capacities, lengths))
    # a = (1/G) int g R(x) dx, R(x) = cumulative resistance from the left face (J = 1)
    acc = 0.0
    r_start = 0.0
    for L, r, g in zip(lengths, resistivities, capacities):
        acc += g * (r_start * L + r * L * L / 2.0)
        r_start += r * L
    a = acc / G
    K = 0.0
    q = 0.0
    r_start = 0.0
    for L, r, g in zip(lengths, resistivities, capacities):
        c_s = a - r_start
        K += r * (q * L + g * (c_s * L * L / 2.0 - r * L ** 3 / 6.0))
        q += g * (c_s * L - r * L * L / 2.0)
        r_start += r * L
    return 3.0 * K / r_start


def _add_diffusion(b, groups, notes, stack, domain, T, S, k, area_src) -> int:
    first = domain[0][0]
    em = first.electrolyte
    tp = first.transference_number()
    c0 = first.salt_concentration()
    chi = first.thermodynamic_factor()
    chi_src = _src(em.parameter("thermodynamic_factor")) if em.has("thermodynamic_factor") else "default 1 (ideal)"
    r_total = 0.0
    lengths, res, caps, parts = [], [], [], []
    for layer, eps, phi in domain:
        D = layer.salt_diffusivity(T)
        r_i, _ = polymer_diffusion_parameters(D * phi, tp, c0, layer.thickness, S, T, chi)
        r_total += r_i
        lengths.append(layer.thickness)
        res.append(1.0 / (D * phi))
        caps.append(eps)
        txt = f"{layer.name}: L = {layer.thickness * 1e6:.4g} um ({layer.thickness_source or 'no source'})"
        if layer.kind == "composite":
            txt += (f", salt in the pores with eps = {eps:.4g}, eps/tortuosity = {phi:.4g} "
                    f"({layer.composite.model} pore network; fraction: {layer.composite.source or 'no source'})")
        parts.append(txt)
    D0 = first.salt_diffusivity(T)
    if len(domain) == 1 and domain[0][2] == 1.0:
        tau = first.thickness ** 2 / (4.0 * D0)
        how = "L^2/(4D)"
    else:
        tau = diffusion_time(lengths, res, caps)
        how = ("first-moment match of the layered domain (exact DC limit and O(w) term; "
               "cellsim.circuits.compose.diffusion_time)")
        notes.append("diffusion domain " + " + ".join(l.name for l, _, _ in domain)
                     + " (salt crosses these layers) is one Zd matched at low frequency")
    where = " + ".join(l.name for l, _, _ in domain)
    common = (f"D = {D0:.4g} m2/s ({_src(em.parameter('salt_diffusivity'))}); " + "; ".join(parts))
    b.add(f"Zd{k}_0", r_total, "ohm",
          f"salt-diffusion resistance R_d of {where} ({em.label}) between anion-blocking faces: "
          f"sum of 2RTL(1-t+)^2 chi/(F^2 D_eff c0 S) at {T:.2f} K; t+ = {tp:g} "
          f"({_src(em.parameter('transference_number'))}); c0 = {c0:.4g} mol/m3 "
          f"({_src(em.parameter('salt_concentration'))}); chi = {chi:g} ({chi_src}); {common}; {area_src}")
    b.add(f"Zd{k}_1", tau, "s", f"salt-diffusion time tau of {where}: {how}; {common}")
    groups.append(Group("diffusion", where, f"Zd{k}", tau, r_total))
    return k + 1


_diffusion_domains = diffusion_domains  # the earlier private name
