"""Parse circuit strings (impedance.py syntax) into a tree, and print trees back.

Syntax
------
* an element is a type prefix followed by an index or label: ``R0``, ``CPE1``, ``Wo_a``
  (see :mod:`cellsim.circuits.elements` for the types);
* ``a-b-c`` puts elements in series;
* ``p(a,b,...)`` puts two or more branches in parallel; a branch may itself be a series
  ``p(R1-Wo1,CPE1)``, and parallels nest;
* spaces are ignored; element names must be unique.

The parser is a hand-written recursive descent (no ``eval``). Every syntax error raises
:class:`cellsim.errors.CircuitSyntaxError` with the 0-based column of the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CircuitSyntaxError
from .elements import ELEMENTS, split_name

__all__ = ["Element", "Series", "Parallel", "parse", "to_string", "iter_elements"]


@dataclass(frozen=True)
class Element:
    """A named element, e.g. ``CPE1`` (``prefix`` ``"CPE"``)."""

    name: str
    prefix: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Series:
    """Two or more nodes in series (none of them a :class:`Series`)."""

    children: tuple
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Parallel:
    """Two or more branches in parallel."""

    children: tuple
    position: int = field(default=0, compare=False)


Node = Element | Series | Parallel


def to_string(node: Node) -> str:
    """Print a tree in the canonical syntax (no spaces): ``R0-p(R1,CPE1)``."""
    if isinstance(node, Element):
        return node.name
    if isinstance(node, Series):
        return "-".join(to_string(c) for c in node.children)
    if isinstance(node, Parallel):
        return "p(" + ",".join(to_string(c) for c in node.children) + ")"
    raise TypeError(f"not a circuit node: {node!r}")


def iter_elements(node: Node):
    """Yield the :class:`Element` leaves from left to right."""
    if isinstance(node, Element):
        yield node
    else:
        for c in node.children:
            yield from iter_elements(c)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.names: dict[str, int] = {}

    # -- helpers -------------------------------------------------------------------------
    def error(self, position: int, message: str):
        raise CircuitSyntaxError(self.text, position, message)

    def skip(self) -> None:
        t = self.text
        while self.i < len(t) and t[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        self.skip()
        return self.text[self.i] if self.i < len(self.text) else ""

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> Node:
        if not self.text.strip():
            self.error(0, "empty circuit; expected elements such as 'R0-p(R1,C1)'")
        node = self.series()
        c = self.peek()
        if c:
            if c == ")":
                self.error(self.i, "unbalanced ')': no matching 'p('")
            if c == ",":
                self.error(self.i, "',' outside p(...); parallel branches are written p(a,b)")
            self.error(self.i, f"unexpected {c!r}; expected '-' or the end of the circuit")
        return node

    def series(self) -> Node:
        self.skip()
        start = self.i
        terms = [self.term()]
        while self.peek() == "-":
            dash = self.i
            self.i += 1
            c = self.peek()
            if c in ("", ")", ",", "-"):
                self.error(dash, "'-' must be followed by an element or p(...)")
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]
        flat: list[Node] = []
        for t in terms:
            flat.extend(t.children if isinstance(t, Series) else (t,))
        return Series(tuple(flat), start)

    def term(self) -> Node:
        c = self.peek()
        pos = self.i
        if c == "":
            self.error(pos, "unexpected end; expected an element or p(...)")
        if c.isascii() and c.isalpha():
            j = pos
            t = self.text
            while j < len(t) and t[j].isascii() and (t[j].isalnum() or t[j] == "_"):
                j += 1
            ident = t[pos:j]
            self.i = j
            if ident == "p" and self.peek() == "(":
                return self.parallel(pos)
            return self.element(ident, pos)
        if c == "(":
            self.error(pos, "unexpected '('; parallel branches are written p(a,b)")
        if c in "-,)":
            self.error(pos, f"unexpected {c!r}; expected an element or p(...)")
        self.error(pos, f"unexpected character {c!r}; expected an element such as R0 or p(...)")
        raise AssertionError  # unreachable

    def element(self, ident: str, pos: int) -> Element:
        known = ", ".join(ELEMENTS)
        try:
            prefix, _ = split_name(ident)
        except ValueError:
            self.error(pos, f"invalid element name {ident!r}; a name is a type ({known}) followed by an "
                            "index or label starting with a digit or '_', e.g. CPE1")
        if prefix not in ELEMENTS:
            if ident == "p":
                self.error(pos, "'p' must be followed by '(' (parallel: p(a,b))")
            self.error(pos, f"unknown element {ident!r} (type {prefix!r}); known types: {known}")
        if ident in self.names:
            self.error(pos, f"duplicate element name {ident!r} (first used at position {self.names[ident]})")
        self.names[ident] = pos
        return Element(ident, prefix, pos)

    def parallel(self, pos: int) -> Parallel:
        # self.i points at '('
        open_pos = self.i
        self.i += 1
        if self.peek() == ")":
            self.error(self.i, "empty p(); a parallel needs at least two branches, e.g. p(R1,C1)")
        branches = [self.branch(open_pos)]
        while self.peek() == ",":
            self.i += 1
            branches.append(self.branch(open_pos))
        c = self.peek()
        if c == "":
            self.error(open_pos, "unbalanced '(': p( is never closed")
        if c != ")":
            self.error(self.i, f"unexpected {c!r} in p(...); expected ',' or ')'")
        self.i += 1
        if len(branches) < 2:
            self.error(pos, "p(...) needs at least two branches separated by ','")
        return Parallel(tuple(branches), pos)

    def branch(self, open_pos: int) -> Node:
        c = self.peek()
        if c in (",", ")"):
            self.error(self.i, "empty branch in p(...); expected an element or p(...)")
        if c == "":
            self.error(open_pos, "unbalanced '(': p( is never closed")
        return self.series()


def parse(text: str) -> Node:
    """Parse a circuit string into a tree of :class:`Element`, :class:`Series`, :class:`Parallel`.

    Parameters
    ----------
    text : str
        Circuit in impedance.py syntax, e.g. ``"R0-p(R1,CPE1)-Wo1"``.

    Returns
    -------
    Element, Series or Parallel
        The root node; ``to_string(parse(s))`` is ``s`` without spaces.

    Raises
    ------
    CircuitSyntaxError
        With the 0-based position of the problem: unbalanced parentheses, a dangling
        ``-``, an unknown element, an empty ``p()``, a duplicate element name, ...
    """
    if not isinstance(text, str):
        raise CircuitSyntaxError(str(text), 0, "a circuit must be a string")
    return _Parser(text).parse()
