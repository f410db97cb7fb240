import pytest
import sympy as sp

from course.checks import CheckFailure
from course.symbolic import check_expr_equal

s, x = sp.Symbol("s"), sp.Symbol("x")


def test_equivalent_forms_pass():
    check_expr_equal(s - s ** 2, s * (1 - s), s, "answer")
    check_expr_equal(1 / (1 + sp.exp(-x)), sp.exp(x) / (1 + sp.exp(x)), x, "answer")


def test_wrong_form_names_the_point_where_it_disagrees():
    with pytest.raises(CheckFailure, match=r"at s = -2.5 it gives 3.75, but the right answer is -8.75"):
        check_expr_equal(s * (1 + s), s * (1 - s), s, "answer")


def test_other_symbols_and_non_expressions_are_explained():
    with pytest.raises(CheckFailure, match="in terms of s only"):
        check_expr_equal(x * (1 - x), s * (1 - s), s, "answer")
    with pytest.raises(CheckFailure, match="forget the `return`"):
        check_expr_equal(None, s, s, "answer")
