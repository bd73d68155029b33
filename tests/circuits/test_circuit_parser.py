"""Circuit-string parser: round trips and syntax errors with positions."""

import numpy as np
import pytest

from cellsim.circuits import Circuit
from cellsim.circuits.parser import Element, Parallel, Series, parse, to_string
from cellsim.errors import CircuitSyntaxError

ROUND_TRIP = [
    "R0",
    "R0-C1",
    "p(R1,C1)",
    "R0-p(R1,CPE1)",
    "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3",
    "R0-p(R1-Wo1,CPE1)-Ws1",
    "p(R1,p(R2,C2)-p(R3,p(R4,C4,L4)),CPE1)-W1",
    "p(p(R1,C1),p(R2,C2))",
    "R_s-p(R_ct,CPE_dl)-Zd_1-G1-Gs1-K1-Zarc1-La1-TLMQ1",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip(text):
    tree = parse(text)
    assert to_string(tree) == text
    assert parse(to_string(tree)) == tree
    assert str(Circuit(text)) == text


def test_spaces_are_ignored_and_printing_is_canonical():
    assert str(Circuit(" R0 - p( R1 , CPE1 ) ")) == "R0-p(R1,CPE1)"


def test_tree_structure():
    tree = parse("R0-p(R1-C1,CPE1)-W1")
    assert isinstance(tree, Series) and len(tree.children) == 3
    par = tree.children[1]
    assert isinstance(par, Parallel)
    assert isinstance(par.children[0], Series)
    assert par.children[0].children == (Element("R1", "R"), Element("C1", "C"))


def test_parameter_order_follows_the_string():
    c = Circuit("p(CPE1,R1)-R0-Wo1")
    assert c.parameter_names == ["CPE1_0", "CPE1_1", "R1", "R0", "Wo1_0", "Wo1_1"]
    assert c.parameter_units == ["ohm^-1 s^n", "", "ohm", "ohm", "ohm", "s"]
    assert c.parameter_kinds == ["positive", "exponent", "positive", "positive", "positive", "positive"]


BAD = [
    # text, position, fragment of the message
    ("R0-p(R1,C1", 4, "never closed"),
    ("R0-p(R1,C1))", 11, "unbalanced ')'"),
    ("R0-", 2, "'-' must be followed"),
    ("R0-p(R1,C1)-", 11, "'-' must be followed"),
    ("R0--R1", 2, "'-' must be followed"),
    ("R0-X1", 3, "unknown element 'X1'"),
    ("R0-p(R1,Q1)", 8, "unknown element 'Q1'"),
    ("R0-p()", 5, "empty p()"),
    ("R0-p(R1,)", 8, "empty branch"),
    ("p(,R1)", 2, "empty branch"),
    ("R0-p(R1)", 3, "at least two branches"),
    ("R0-p(R1,C1)-R0", 12, "duplicate element name 'R0'"),
    ("p(R1,R1)", 5, "duplicate element name 'R1'"),
    ("", 0, "empty circuit"),
    ("   ", 0, "empty circuit"),
    ("R0,R1", 2, "',' outside p"),
    ("(R0-R1)", 0, "unexpected '('"),
    ("R0-p R1", 3, "'p' must be followed by '('"),
    ("R0*R1", 2, "unexpected '*'"),
    ("R0-p(R1 C1)", 8, "expected ',' or ')'"),
    ("R0-Rct", 3, "unknown element 'Rct'"),
    ("R0-µ1", 3, "unexpected character"),
]


@pytest.mark.parametrize("text,position,fragment", BAD)
def test_syntax_errors_point_at_the_problem(text, position, fragment):
    with pytest.raises(CircuitSyntaxError) as exc:
        Circuit(text)
    assert exc.value.position == position, str(exc.value)
    assert fragment in str(exc.value)
    assert exc.value.text == text
    # the message shows the text and a caret under the position
    lines = str(exc.value).split("\n")
    assert lines[1].strip() == text.strip() or not text.strip()
    assert lines[2].index("^") - 2 == position


def test_not_a_string():
    with pytest.raises(CircuitSyntaxError):
        parse(42)


def test_circuit_accepts_tree_and_circuit():
    c = Circuit("R0-p(R1,C1)")
    assert Circuit(c) == c and Circuit(c.tree) == c
    assert hash(Circuit("R0-p(R1,C1)")) == hash(c)
    import pickle

    c2 = pickle.loads(pickle.dumps(c))
    assert c2 == c and np.allclose(c2.impedance([1.0], [1, 2, 3]), c.impedance([1.0], [1, 2, 3]))
