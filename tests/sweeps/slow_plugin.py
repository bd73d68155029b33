"""Test plugin for sweeps (``[sweep] plugins = ["tests.sweeps.slow_plugin"]``).

``slow_bulk``: the stack's bulk resistance after sleeping ``CELLSIM_TEST_SLEEP_S`` seconds
(default 0), so that a sweep runs long enough to be killed or to lose a worker mid-run.
``fail_thick``: raises an InputError (a CellsimError) for polymer layers thicker than 150 um,
so that some points end with status "error".
"""

import os
import time

from cellsim.errors import InputError
from cellsim.sweeps.outputs import Column, register_output


@register_output("slow_bulk", [Column("slow_bulk_ohm", "REAL", "ohm", "bulk resistance, computed slowly")])
def slow_bulk(ctx):
    time.sleep(float(os.environ.get("CELLSIM_TEST_SLEEP_S", "0")))
    return {"slow_bulk_ohm": ctx.stack.total_bulk_resistance()}


@register_output("fail_thick", [Column("fail_thick_m", "REAL", "um", "first layer thickness")])
def fail_thick(ctx):
    L = ctx.stack.layers[0].thickness
    if L > 150e-6:
        raise InputError("layers[0].thickness", L, "<= 150 um for the fail_thick test output")
    return {"fail_thick_m": L}


@register_output("crash_once", [Column("crash_once_ohm", "REAL", "ohm", "bulk resistance; kills its process once")])
def crash_once(ctx):
    """For a base model file named ``crash-once.toml``: the first call in any process (no
    ``crash-once.crashed`` file next to the model yet) writes that file and kills the process."""
    src = ctx.stack.source_file
    if os.path.basename(src) == "crash-once.toml":
        marker = os.path.join(os.path.dirname(src), "crash-once.crashed")
        if not os.path.exists(marker):
            with open(marker, "w") as fh:
                fh.write(str(os.getpid()))
            os._exit(17)
    return {"crash_once_ohm": ctx.stack.total_bulk_resistance()}
