"""Short-circuit onset: step-up traces, their readers and the onset detector.

The simulated critical-current-density protocol (dendrites through the polymer layers,
paths through the middle layer) builds on :mod:`cellsim.transport`; the detector in
:mod:`cellsim.shortcircuit.onset` reads measured and simulated traces alike.
"""

from .onset import Segment, ShortOnset, detect_short, segments
from .traces import TRACE_FORMATS, Trace, read_trace

__all__ = ["Segment", "ShortOnset", "Trace", "TRACE_FORMATS", "detect_short", "read_trace", "segments"]
