"""Short onset in synthetic step-up traces: right step, right kind, no false alarms."""

import numpy as np
import pytest

from cellsim.errors import InputError
from cellsim.shortcircuit import detect_short, segments

MA_CM2 = 10.0  # A/m2 per mA/cm2


def step_up(j_steps, *, asr=0.02, half=1800.0, n=60, noise=0.01, rest=0.0, seed=0, short=None,
            conditioning=0.0):
    """A synthetic Li|Li step-up trace: plate then strip at each J, optional rests.

    ``short = (step, half_index, kind, fraction_of_half)``: from that point the voltage
    collapses (hard: to 2 % of the ohmic value), or the ASR drops to 30 % (soft), or turns
    erratic (noise).
    """
    rng = np.random.default_rng(seed)
    t, v, j = [], [], []
    now = 0.0
    k_total = 2 * len(j_steps)
    count = 0
    for s, jk in enumerate(j_steps):
        for h, sign in enumerate((1.0, -1.0)):
            tt = now + np.linspace(0.0, half, n, endpoint=False)
            r = asr * (1.0 - conditioning * count / k_total)
            vv = sign * jk * r * (1.0 - 0.3 * np.exp(-(tt - now) / (0.05 * half)))
            vv = vv * (1.0 + noise * rng.standard_normal(n))
            if short is not None and (s, h) >= short[:2]:
                frac = short[3] if (s, h) == short[:2] else 0.0
                after = tt >= now + frac * half
                if short[2] == "hard":
                    vv[after] = sign * jk * r * 0.02 * (1 + noise * rng.standard_normal(after.sum()))
                elif short[2] == "soft":
                    vv[after] *= 0.3
                else:
                    vv[after] *= 1.0 + 0.4 * rng.standard_normal(after.sum())
            t.append(tt)
            v.append(vv)
            j.append(np.full(n, sign * jk))
            now += half
            count += 1
            if rest > 0:
                tr = now + np.linspace(0.0, rest, 10, endpoint=False)
                t.append(tr)
                v.append(0.001 * rng.standard_normal(10))
                j.append(np.zeros(10))
                now += rest
    return np.concatenate(t), np.concatenate(v), np.concatenate(j)


J = [x * MA_CM2 for x in (0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)]


def test_segments_split_on_sign_magnitude_and_rests():
    t, v, j = step_up(J[:3], rest=600.0)
    segs = segments(t, j)
    gal = [s for s in segs if not s.rest]
    assert len(gal) == 6 and len([s for s in segs if s.rest]) == 6
    assert [s.current_density for s in gal] == pytest.approx([1.0, -1.0, 2.0, -2.0, 5.0, -5.0])
    assert all(s.stop - s.start == 60 for s in gal)


@pytest.mark.parametrize("noise,rest,conditioning", [(0.0, 0.0, 0.0), (0.02, 600.0, 0.0), (0.01, 0.0, 0.3)])
def test_healthy_trace_has_no_short(noise, rest, conditioning):
    t, v, j = step_up(J, noise=noise, rest=rest, conditioning=conditioning)
    res = detect_short(t, v, j)
    assert not res.detected and res.kind is None
    assert res.survived_A_m2 == pytest.approx(J[-1])
    asr = [a for a in res.asr_ohm_m2 if a == a]
    assert len(asr) == 2 * len(J)


@pytest.mark.parametrize("kind,step,half,frac", [("hard", 6, 0, 0.5), ("hard", 4, 1, 0.25), ("soft", 5, 0, 0.4),
                                                 ("noise", 7, 0, 0.0)])
@pytest.mark.parametrize("rest", [0.0, 600.0])
def test_short_found_at_the_right_step(kind, step, half, frac, rest):
    t, v, j = step_up(J, short=(step, half, kind, frac), rest=rest, seed=3)
    res = detect_short(t, v, j)
    assert res.detected and res.kind == kind
    assert res.current_density_A_m2 == pytest.approx(J[step])
    assert res.survived_A_m2 == pytest.approx(J[step - 1])
    # the onset time lies within one sample of where the short was put
    seg_len = 1800.0 + (rest if rest else 0.0)
    t_short = (2 * step + half) * seg_len + frac * 1800.0
    dt = 1800.0 / 60
    if kind == "noise":
        assert t_short <= res.time_s <= t_short + 1800.0
    else:
        assert abs(res.time_s - t_short) <= dt + 1e-9


def test_short_in_first_segment_cannot_have_a_reference_but_later_is_found():
    # a cell that is shorted from the start shows no contrast: nothing to detect
    t, v, j = step_up(J[:3], short=(0, 0, "hard", 0.0), noise=0.0)
    res = detect_short(t, v, j)
    assert not res.detected


def test_input_checks():
    t, v, j = step_up(J[:2])
    with pytest.raises(InputError, match="hard_fraction"):
        detect_short(t, v, j, hard_fraction=0.7, soft_fraction=0.5)
    with pytest.raises(InputError, match="soft_fraction"):
        detect_short(t, v, j, soft_fraction=1.5)
    with pytest.raises(InputError, match="equal length"):
        detect_short(t[:-1], v, j)
    bad = v.copy()
    bad[3] = np.nan
    with pytest.raises(InputError, match="voltage"):
        detect_short(t, bad, j)
    with pytest.raises(InputError, match="non-decreasing"):
        detect_short(t[::-1], v, j)
