"""Demo sections from the transport model's lab protocols: Table S1 / Fig. S6 (DC
resistance from current steps) and Fig. S5d (Bruce-Vincent transference number)."""

from __future__ import annotations

import numpy as np

from .section import Section
from .section import pyplot as _plt

#: Seed Table S1: applied currents [uA], response voltages [mV], DCR between steps [kohm].
TABLE_S1_CURRENTS_UA = [0.1, 1, 2, 4, 6, 8, 10, 20, 50]
TABLE_S1_VOLTAGES_MV = [0.278, 0.587, 0.942, 1.656, 2.393, 3.106, 3.849, 7.371, 17.756]
TABLE_S1_DCR_KOHM = [0.343, 0.355, 0.357, 0.369, 0.357, 0.372, 0.352, 0.346]




def dc_resistance() -> Section:
    """Table S1 and Fig. S6: DC resistance of Li|UVEA|Li from simulated current steps."""
    from ..models import load_model
    from ..transport.lab import polarize

    st = load_model("li-uvea-li")
    cur = np.array(TABLE_S1_CURRENTS_UA) * 1e-6
    res = polarize(st, cur)
    v_seed = np.array(TABLE_S1_VOLTAGES_MV) * 1e-3
    v = res.voltages_V
    itf = st.interfaces[0]
    sec = Section("table_s1", "Table S1 and Fig. S6: DC resistance of Li | UVEA | Li from current steps",
                  "The transport model is run through the seed's current steps (0.1 to 50 uA, each held to steady "
                  f"state, {res.hold_s:.0f} s; the seed gives no step duration) and the DC resistance between "
                  "consecutive steps is computed as the seed did.")
    sec.inputs.append("Inputs from the seed: the UVEA conductivity (Table S2), thickness 340 um, the currents of "
                      "Table S1. CALIBRATED: the Li|UVEA interface resistance, fitted to the Table S1 voltages "
                      f"(now {itf.resistance() * 1e4:.4g} ohm cm2 per interface; source: {itf.parameters['resistance'].source if 'resistance' in itf.parameters else '-'}). "
                      "ASSUMED: cell area 2 cm2 (models/li-uvea-li.toml).")
    rows = []
    for k in range(cur.size):
        dcr_s = TABLE_S1_DCR_KOHM[k - 1] if k else None
        dcr_c = res.dcr_ohm[k - 1] / 1e3 if k else None
        rows.append([TABLE_S1_CURRENTS_UA[k], TABLE_S1_VOLTAGES_MV[k], v[k] * 1e3, dcr_s, dcr_c])
    sec.tables.append(("Table S1: response voltage and DC resistance, seed vs cellsim",
                       ["I [uA]", "V seed [mV]", "V cellsim [mV]", "DCR seed [kohm]", "DCR cellsim [kohm]"], rows))
    offset = v_seed[0] - v[0]
    slope_seed = np.polyfit(cur[1:], v_seed[1:], 1)
    sec.notes.append(f"The seed's first point (0.278 mV at 0.1 uA) lies {offset * 1e3:.3f} mV above the model: a "
                     f"straight line through the other points has an intercept of {slope_seed[1] * 1e3:.3f} mV at zero "
                     "current, which an ohmic/kinetic model cannot give (an open-circuit offset of the cell). cellsim "
                     "does not add an offset to hide it.")
    sec.summary.append(["DCR Li|UVEA|Li (Table S1) [kohm]", "0.343-0.372",
                        round(float(np.median(res.dcr_ohm)) / 1e3, 4), "calibrated interface resistance"])
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    a1.plot(cur * 1e6, v_seed * 1e3, "o", label="seed Table S1")
    a1.plot(cur * 1e6, v * 1e3, "-", label="cellsim (transport)")
    a1.set_xlabel("applied current [uA]")
    a1.set_ylabel("response voltage [mV]")
    a1.legend(fontsize=8)
    sol = res.solution
    a2.plot(sol.time / 60.0, sol.voltage * 1e3, lw=1.0)
    a2.set_xlabel("time [min]")
    a2.set_ylabel("cell voltage [mV]")
    a2.set_title("Fig. S6: voltage response to the current steps", fontsize=8)
    sec.figures.append(("dcr", fig, "Table S1 / Fig. S6: steady voltages against current (seed points, cellsim line) "
                                    "and the simulated voltage response to the steps."))
    return sec


def transference() -> Section:
    """Fig. S5d: the simulated Bruce-Vincent experiment and the apparent t+ of the sandwiches."""
    from ..formulas import apparent_transference_number, diffusion_resistance
    from ..models import load_model
    from ..transport.lab import bruce_vincent

    sec = Section("fig_s5d", "Fig. S5d: Bruce-Vincent transference number, and the apparent t+ of the sandwiches",
                  "A potentiostatic 10 mV step is simulated with EIS-equivalent interfacial resistances before and at "
                  "steady state, and analysed with the Bruce-Vincent formula t+ = Iss (dV - I0 R0) / (I0 (dV - Iss Rss)) "
                  "as a lab would. On a sandwich the same experiment gives an apparent t+ set by the layers' bulk "
                  "and diffusion resistances (physics.md §2.2).")
    sec.inputs.append("ESTIMATE (not given in the seed's SI text): UVEA t+ = 0.4 and D from Nernst-Einstein "
                      "(parameters/uvea.toml); the seed measured t+ on Li|UVEA|Li (Fig. S5d) but its value is not in "
                      "the SI text. Model files: models/li-uvea-li.toml and the three sandwiches.")
    rows = []
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    for name in ["li-uvea-li", "li-uvea-latp-uvea-li", "li-uvea-lvo-uvea-li", "li-uvea-lto-uvea-li"]:
        st = load_model(name)
        r = bruce_vincent(st, 0.010)
        T = st.temperature
        poly = [l for l in st.layers if l.kind == "polymer"]
        rbp = sum(l.asr(T) for l in poly)
        rbc = sum(l.asr(T) for l in st.layers if l.kind != "polymer")
        rdp = sum(diffusion_resistance(l.thickness, l.salt_diffusivity(T), l.salt_concentration(),
                                       l.transference_number(), T, l.thermodynamic_factor()) for l in poly)
        formula = apparent_transference_number(rbp, rbc, rdp)
        tin = poly[0].transference_number() if poly else None
        rows.append([st.title, tin, r.t_plus, formula, r.i0_A * 1e6, r.iss_A * 1e6])
        sol = r.solution
        ax.plot(sol.time / 3600.0, sol.current * 1e6, label=st.title)
        sec.summary.append([f"t+ Bruce-Vincent {st.title}", None, round(r.t_plus, 3),
                            f"input UVEA t+ {tin}; formula {formula:.3f}"])
    ax.set_xscale("log")
    ax.set_xlabel("time [h]")
    ax.set_ylabel("current [uA]")
    ax.legend(fontsize=7)
    sec.tables.append(("Bruce-Vincent t+ (simulated experiment) and the multilayer formula",
                       ["cell", "UVEA t+ (input)", "t+ Bruce-Vincent (cellsim)", "t+ formula (physics.md §2.2)",
                        "I0 [uA]", "Iss [uA]"], rows))
    sec.notes.append("A high t+ measured on a sandwich does not mean the polymer's t+ is high: the ceramic adds bulk "
                     "resistance but no diffusion resistance (physics.md §2.2).")
    sec.figures.append(("bv_current", fig, "Fig. S5d: simulated current decay under a 10 mV step."))
    return sec
