"""The :class:`Circuit`: a parsed circuit string compiled for fast evaluation.

``Circuit("R0-p(R1,CPE1)")`` parses the string once and compiles the tree into a flat
postfix program (opcodes and parameter columns) that the numba kernel
:func:`cellsim.circuits._kernels.evaluate_program` runs over all frequencies and any number
of parameter sets in one call. :func:`numpy_impedance` evaluates the same tree with the
element closed forms in plain NumPy (the reference the kernel is tested against).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import InputError
from .elements import ELEMENTS, EXPONENT, POSITIVE, ElementType
from .opcodes import OP_PARALLEL, OP_SERIES
from .parser import Element, Node, Parallel, Series, iter_elements, parse, to_string

__all__ = ["Circuit", "numpy_impedance", "compile_program"]

_KERNELS = None
#: Batches of at least this many (sets x frequencies) run on all of numba's threads by default
#: (about 1 ms of work on one core, against ~20 us to start the threads).
PARALLEL_MIN_POINTS = 50_000


def _kernels():
    global _KERNELS
    if _KERNELS is None:
        from . import _kernels as k

        _KERNELS = k
    return _KERNELS


def compile_program(tree: Node, offsets: dict[str, int]) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Compile a circuit tree into a postfix program.

    Parameters
    ----------
    tree : Node
        Parsed circuit.
    offsets : dict
        Element name -> column of its first parameter.

    Returns
    -------
    ops, args : numpy.ndarray of int64
        Opcodes and their arguments (parameter column, or operand count of
        series/parallel).
    depth : int
        Maximum stack depth.
    needs_log : bool
        Whether any element needs log(w).
    """
    ops: list[int] = []
    args: list[int] = []
    needs_log = False

    def emit(node: Node) -> None:
        nonlocal needs_log
        if isinstance(node, Element):
            et = ELEMENTS[node.prefix]
            ops.append(et.opcode)
            args.append(offsets[node.name])
            needs_log = needs_log or et.needs_log
            return
        for c in node.children:
            emit(c)
        ops.append(OP_SERIES if isinstance(node, Series) else OP_PARALLEL)
        args.append(len(node.children))

    emit(tree)
    depth = sp = 0
    for op, a in zip(ops, args):
        sp = sp - a + 1 if op in (OP_SERIES, OP_PARALLEL) else sp + 1
        depth = max(depth, sp)
    return np.array(ops, dtype=np.int64), np.array(args, dtype=np.int64), depth, needs_log


def numpy_impedance(tree: Node, parameters: Mapping[str, object], frequencies) -> np.ndarray:
    """Reference evaluation of a circuit tree with the NumPy closed forms.

    Parameters
    ----------
    tree : Node
        Parsed circuit (:func:`cellsim.circuits.parser.parse`).
    parameters : mapping
        Parameter name (``"R0"``, ``"CPE1_0"``, ...) -> value (scalar, or array of shape
        ``(n_sets, 1)`` to evaluate several sets).
    frequencies : array_like
        f [Hz].

    Returns
    -------
    numpy.ndarray of complex
        Z [ohm]: series Z = sum Z_i, parallel Z = 1/sum(1/Z_i).
    """
    w = 2.0 * np.pi * np.asarray(frequencies, dtype=float)

    def ev(node: Node):
        if isinstance(node, Element):
            et = ELEMENTS[node.prefix]
            p = [parameters[n] for n in et.parameter_names(node.name)]
            return et.reference(p, w)
        zs = [ev(c) for c in node.children]
        if isinstance(node, Series):
            return sum(zs[1:], zs[0])
        return 1.0 / sum((1.0 / z for z in zs[1:]), 1.0 / zs[0])

    return np.asarray(ev(tree), dtype=complex)


def _check_frequencies(f: np.ndarray) -> None:
    """Raise :class:`~cellsim.errors.InputError` naming the first frequency that is not finite and > 0."""
    good = np.isfinite(f) & (f > 0)
    if not good.all():
        raise InputError("frequencies", float(f[~good][0]), "finite frequencies > 0 Hz")


class Circuit:
    """An equivalent circuit parsed from a string and compiled for evaluation.

    Parameters
    ----------
    circuit : str or Circuit
        Circuit in impedance.py syntax, e.g. ``"R0-p(R1,CPE1)-Wo1"``.

    Raises
    ------
    CircuitSyntaxError
        If the string cannot be parsed (the error carries the position).

    Examples
    --------
    >>> c = Circuit("R0-p(R1,CPE1)")
    >>> c.parameter_names
    ['R0', 'R1', 'CPE1_0', 'CPE1_1']
    >>> z = c.impedance([1.0, 1e3, 1e6], [10, 100, 1e-6, 0.9])   # complex, ohm
    """

    __slots__ = ("_tree", "_text", "_elements", "_names", "_units", "_kinds", "_labels", "_owner",
                 "_offsets", "_ops", "_args", "_depth", "_needs_log", "_index")

    def __init__(self, circuit):
        if isinstance(circuit, Circuit):
            tree = circuit._tree
        elif isinstance(circuit, (Element, Series, Parallel)):
            tree = circuit
        else:
            tree = parse(circuit)
        self._tree = tree
        self._text = to_string(tree)
        names: list[str] = []
        units: list[str] = []
        kinds: list[str] = []
        labels: list[str] = []
        owner: list[str] = []
        offsets: dict[str, int] = {}
        elements: list[tuple[str, ElementType]] = []
        for el in iter_elements(tree):
            et = ELEMENTS[el.prefix]
            elements.append((el.name, et))
            offsets[el.name] = len(names)
            names.extend(et.parameter_names(el.name))
            units.extend(et.units)
            kinds.extend(et.kinds)
            labels.extend(et.labels)
            owner.extend([el.name] * et.n_params)
        self._elements = elements
        self._names = names
        self._units = units
        self._kinds = kinds
        self._labels = labels
        self._owner = owner
        self._offsets = offsets
        self._index = {n: i for i, n in enumerate(names)}
        self._ops, self._args, self._depth, self._needs_log = compile_program(tree, offsets)

    # -- description ---------------------------------------------------------------------
    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Circuit({self._text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Circuit) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __reduce__(self):
        return (Circuit, (self._text,))

    @property
    def tree(self) -> Node:
        """The parsed tree (:class:`~cellsim.circuits.parser.Element`, ``Series``, ``Parallel``)."""
        return self._tree

    @property
    def elements(self) -> list[tuple[str, str]]:
        """``(name, prefix)`` of each element, left to right."""
        return [(n, et.prefix) for n, et in self._elements]

    @property
    def parameter_names(self) -> list[str]:
        """Parameter names in order, impedance.py convention (``R0``, ``CPE1_0``, ``CPE1_1``)."""
        return list(self._names)

    @property
    def parameter_units(self) -> list[str]:
        """SI unit of each parameter (``""`` for dimensionless)."""
        return list(self._units)

    @property
    def parameter_labels(self) -> list[str]:
        """Physical name of each parameter within its element (``"Q"``, ``"n"``, ``"tau"``)."""
        return list(self._labels)

    @property
    def parameter_elements(self) -> list[str]:
        """Name of the element each parameter belongs to."""
        return list(self._owner)

    @property
    def parameter_kinds(self) -> list[str]:
        """``"positive"`` (fit in log space, bounds (0, inf)) or ``"exponent"`` (bounds (0, 1])."""
        return list(self._kinds)

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return len(self._names)

    def log_mask(self) -> np.ndarray:
        """Boolean array, True where a parameter is positive (to be fitted as log10 of it)."""
        return np.array([k == POSITIVE for k in self._kinds], dtype=bool)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Natural bounds per parameter: ``(0, inf)`` for positive, ``(0, 1)`` for exponents.

        Returns
        -------
        lower, upper : numpy.ndarray
            Arrays of length :attr:`n_params` (bounds are open at 0; exponents include 1).
        """
        lower = np.zeros(self.n_params)
        upper = np.array([1.0 if k == EXPONENT else np.inf for k in self._kinds])
        return lower, upper

    def index(self, name: str) -> int:
        """Position of a parameter name in :attr:`parameter_names`."""
        try:
            return self._index[name]
        except KeyError:
            raise InputError("parameter", name, "one of " + ", ".join(self._names)) from None

    def as_dict(self, values) -> dict[str, float]:
        """``{name: value}`` for one parameter vector."""
        v = self.parameter_array(values)
        if v.ndim != 1:
            raise InputError("parameters", v.shape, f"one set of {self.n_params} values")
        return {n: float(x) for n, x in zip(self._names, v)}

    def parameter_array(self, parameters) -> np.ndarray:
        """Parameters as a float array, from a sequence/array or a mapping name -> value.

        Raises
        ------
        InputError
            If the count or names do not match :attr:`parameter_names`.
        """
        if isinstance(parameters, Mapping):
            missing = [n for n in self._names if n not in parameters]
            extra = [k for k in parameters if k not in self._index]
            if missing or extra:
                what = (f"missing {', '.join(missing)}" if missing else "") + \
                       ("; " if missing and extra else "") + (f"unknown {', '.join(map(str, extra))}" if extra else "")
                raise InputError("parameters", what, "exactly the names " + ", ".join(self._names))
            values = [parameters[n] for n in self._names]
            try:
                return np.array(values, dtype=float)
            except (TypeError, ValueError):
                raise InputError("parameters", values, "numbers") from None
        try:
            p = np.asarray(parameters, dtype=float)
        except (TypeError, ValueError):
            raise InputError("parameters", parameters, f"{self.n_params} numbers ({', '.join(self._names)})") from None
        if p.ndim not in (1, 2) or p.shape[-1] != self.n_params:
            raise InputError("parameters", f"array of shape {p.shape}",
                             f"shape ({self.n_params},) or (n_sets, {self.n_params}) for "
                             + ", ".join(self._names))
        return p

    def check_parameters(self, parameters) -> np.ndarray:
        """Validate values against their kinds (finite; > 0; exponents in (0, 1]).

        Returns the parameter array; raises :class:`~cellsim.errors.InputError` naming the
        first offending parameter.
        """
        p = self.parameter_array(parameters)
        rows = p.reshape(-1, self.n_params)
        for j, (name, kind, unit) in enumerate(zip(self._names, self._kinds, self._units)):
            col = rows[:, j]
            bad = ~np.isfinite(col) | (col <= 0)
            if kind == EXPONENT:
                bad |= col > 1
            if bad.any():
                allowed = "a number in (0, 1]" if kind == EXPONENT else f"a finite number > 0 {unit}".rstrip()
                raise InputError(name, float(col[bad][0]), allowed)
        return p

    # -- evaluation ----------------------------------------------------------------------
    def impedance(self, frequencies, parameters, check: bool = True, parallel: bool | None = None) -> np.ndarray:
        """Impedance Z [ohm] at the frequencies for one or many parameter sets.

        Parameters
        ----------
        frequencies : array_like
            f [Hz], 1-D (or scalar), finite and > 0.
        parameters : array_like or mapping
            Shape ``(n_params,)`` -> result ``(n_freq,)``; shape ``(n_sets, n_params)`` ->
            result ``(n_sets, n_freq)``; or a mapping name -> value.
        check : bool, optional
            Validate frequencies (finite, > 0). Parameter values are not range-checked
            (see :meth:`check_parameters`).
        parallel : bool, optional
            Split the parameter sets over numba's threads (``prange``). Default: when there
            are at least 2 sets and :data:`PARALLEL_MIN_POINTS` sets x frequencies. The
            threads are those of :func:`cellsim.threads.kernel_threads` (``NUMBA_NUM_THREADS``;
            one in a sweep worker, where the batch runs serially), and one parallel batch runs
            at a time per process (a concurrent call from another thread runs serially:
            :func:`cellsim.threads.parallel_slot`). The result is the same bit for bit.

        Returns
        -------
        numpy.ndarray of complex128
            Z = Z' + j Z'' [ohm]; Z'' < 0 for capacitive behaviour.
        """
        f = np.asarray(frequencies, dtype=np.float64)
        scalar = f.ndim == 0
        if scalar:
            f = f.reshape(1)
        if check and f.ndim != 1:
            raise InputError("frequencies", f"array of shape {f.shape}", "a 1-D array of frequencies in Hz")
        if isinstance(parameters, np.ndarray) and parameters.dtype == np.float64 and \
                parameters.shape[-1:] == (len(self._names),) and parameters.ndim <= 2:
            p = parameters
        else:
            p = self.parameter_array(parameters)
        single = p.ndim == 1
        p2 = np.ascontiguousarray(p.reshape(1, -1) if single else p)
        n_sets = p2.shape[0]
        out = np.empty((n_sets, f.shape[0]), dtype=np.complex128)
        if parallel is None:
            parallel = n_sets > 1 and n_sets * f.shape[0] >= PARALLEL_MIN_POINTS
        k = _kernels()
        if parallel:
            from ..threads import kernel_threads, parallel_slot

            with parallel_slot() as threaded:  # False in a sweep worker, or while another thread runs one
                if threaded:
                    if check:
                        _check_frequencies(f)
                    n_chunks = min(n_sets, 8 * kernel_threads())  # chunks balance the threads' load
                    k.evaluate_program_parallel(self._ops, self._args, 2.0 * np.pi * f, p2, self._needs_log,
                                                self._depth, n_chunks, out)
            parallel = threaded
        if not parallel:
            bad = k.evaluate_frequencies(self._ops, self._args, f, p2, self._needs_log, self._depth, check, out)
            if bad >= 0:
                raise InputError("frequencies", float(f[bad]), "finite frequencies > 0 Hz")
        if single:
            out = out[0]
        if scalar:
            out = out[..., 0]
        return out

    def numpy_impedance(self, frequencies, parameters) -> np.ndarray:
        """The same as :meth:`impedance` in plain NumPy (slow reference)."""
        p = self.parameter_array(parameters)
        if p.ndim == 2:
            d = {n: p[:, i:i + 1] for i, n in enumerate(self._names)}
        else:
            d = {n: p[i] for i, n in enumerate(self._names)}
        return numpy_impedance(self._tree, d, frequencies)
