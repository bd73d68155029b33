"""Opcodes of a compiled circuit program (numba-free, the one table).

:mod:`cellsim.circuits.circuit` compiles a parsed circuit into postfix ``(ops, args)``
arrays with these codes, :mod:`cellsim.circuits.elements` gives each element type its
code, and the numba kernel :func:`cellsim.circuits._kernels.evaluate_program` branches on
them (numba reads the module constants at compile time).
"""

OP_SERIES = 0
OP_PARALLEL = 1
OP_R = 10
OP_C = 11
OP_L = 12
OP_CPE = 13
OP_W = 14
OP_WO = 15
OP_WS = 16
OP_G = 17
OP_GS = 18
OP_K = 19
OP_ZARC = 20
OP_LA = 21
OP_TLMQ = 22
OP_ZD = 23
