"""Blaming the right function: ``depends_on`` names the earlier function a later one calls
when it is the one that is wrong, ``using`` swaps in a reference for a block (plain
kernel), ``call`` names the function that is not implemented yet, and ``check_close``
says what the size of an error suggests (a constant factor, a sign, a transpose)."""

from __future__ import annotations

import numpy as np
import pytest

from nnutils.checks import (
    CheckFailed,
    call,
    call_pure,
    check_close,
    check_returns,
    depends_on,
    using,
)


def _namespace(square_body: str) -> dict:
    ns: dict = {"np": np}
    exec(f"def square(x):\n    {square_body}\n\n"  # noqa: S102
         "def mean_square(X):\n    return square(X).mean(axis=-1)\n", ns)
    return ns


def _public(ns: dict) -> None:
    X = np.array([[1.0, 3.0], [0.0, 2.0]])
    square_ok = lambda: check_close("square(X)", call(ns["square"], X), X * X)  # noqa: E731
    with depends_on("mean_square", square=square_ok):
        check_close("mean_square(X)", call(ns["mean_square"], X), [5.0, 2.0])


def test_depends_on_blames_the_earlier_function_when_it_is_wrong():
    with pytest.raises(CheckFailed) as err:
        _public(_namespace("return np.asarray(x) * 2"))
    assert "mean_square failed" in str(err.value)
    assert "it calls square, which is wrong: square(X) is" in str(err.value)


def test_depends_on_keeps_the_later_message_when_the_earlier_function_is_right():
    ns = _namespace("return np.asarray(x) ** 2")
    exec("def mean_square(X):\n    return square(X).sum(axis=-1)\n", ns)  # noqa: S102
    with pytest.raises(CheckFailed) as err:
        _public(ns)
    assert "square" not in str(err.value).replace("mean_square", "")


def test_depends_on_blames_an_earlier_function_that_crashes():
    with pytest.raises(CheckFailed, match="it calls square, which is wrong"):
        _public(_namespace("return x[5]"))


def test_depends_on_is_silent_when_the_block_passes():
    calls = []
    with depends_on("f", g=lambda: calls.append(1)):
        pass
    assert calls == []


def test_call_names_the_unimplemented_function_the_called_one_calls():
    with pytest.raises(NotImplementedError) as err:
        _public(_namespace("raise NotImplementedError()"))
    assert str(err.value).startswith("`square` (which `mean_square` calls) is not implemented")


def test_using_swaps_the_reference_in_for_the_block_only():
    ns = _namespace("return np.asarray(x) * 2")
    reference = "def square(x):\n    return np.asarray(x, dtype=np.float64) ** 2\n"
    with using(ns, reference):
        assert ns["mean_square"](np.array([[1.0, 3.0]]))[0] == 5.0
    assert ns["mean_square"](np.array([[1.0, 3.0]]))[0] == 4.0


def test_using_removes_a_name_the_student_never_defined():
    ns: dict = {"np": np}
    with using(ns, "def helper():\n    return 1\n"):
        assert ns["helper"]() == 1
    assert "helper" not in ns


@pytest.mark.parametrize("got, hint", [
    (np.array([3.0, 6.0, 9.0]), "3 times the expected value"),
    (np.array([0.5, 1.0, 1.5]), "1/2 of the expected value"),
    (np.array([-1.0, -2.0, -3.0]), "opposite sign"),
    (np.array([1.3, 2.6, 3.9]), "Every entry is 1.3 times the expected one"),
])
def test_check_close_names_a_constant_factor(got, hint):
    with pytest.raises(CheckFailed, match=hint):
        check_close("f(x)", got, [1.0, 2.0, 3.0])


def test_check_close_names_a_transpose():
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(CheckFailed, match="transpose"):
        check_close("f(M)", M.T, M)


@pytest.mark.parametrize("got, expected", [
    (np.array([1.0, 2.0, 4.0]), [1.0, 2.0, 3.0]),    # one entry off: no pattern
    (np.array([2.1]), [1.0]),                         # a lone number off by no whole factor
    (np.array(4.0), 1.0),                             # or by one: a coincidence as often
    (np.array([4.0, 0.0]), [1.0, 0.0]),               # one non-zero entry is a lone number
    (np.zeros(3), [1.0, 2.0, 3.0]),                   # all zeros: not a factor
])
def test_check_close_gives_no_size_hint_without_a_pattern(got, expected):
    with pytest.raises(CheckFailed) as err:
        check_close("f(x)", got, expected)
    assert "times" not in str(err.value) and "transpose" not in str(err.value)
    assert "of the expected" not in str(err.value)


def test_check_close_ends_with_the_hint_of_the_known_mistake_it_matches():
    right, swapped = np.array([0.29]), np.array([6.9])
    likely = {"the arguments look swapped: P comes first.": swapped, "never seen": [1.0, 2.0]}
    with pytest.raises(CheckFailed) as err:
        check_close("loss(P, Y)", swapped, right, likely=likely)
    assert str(err.value).endswith("expected 0.29. the arguments look swapped: P comes first.")
    with pytest.raises(CheckFailed) as err:    # another wrong answer: no hint
        check_close("loss(P, Y)", [3.0], right, likely=likely)
    assert "swapped" not in str(err.value)
    check_close("loss(P, Y)", right, right, likely=likely)


def test_check_close_hints_a_known_mistake_of_another_shape():
    M = np.arange(6.0).reshape(2, 3)
    with pytest.raises(CheckFailed, match=r"has shape \(3, 2\), expected \(2, 3\)\. "
                                          r"features last"):
        check_close("f(M)", M.T, M, likely={"features last": M.T})


def test_call_pure_names_the_argument_changed_in_place():
    def scale(x, *, y):
        y *= 2
        return x * 2
    x, y = np.ones(3), np.ones((2, 2))
    with pytest.raises(CheckFailed, match=r"scale \(y, of shape \(2, 2\)\) changed its input"):
        call_pure(scale, x, y=y)
    assert call_pure(lambda a: a + 1, x).tolist() == [2.0, 2.0, 2.0] and x.tolist() == [1] * 3


def test_check_returns_unpacks_or_says_what_came_back():
    assert check_returns("f()", [1, 2], ("w", "b")) == (1, 2)
    with pytest.raises(CheckFailed, match=r"should return a tuple \(w, b\), but returned a "
                                          r"tuple of 3"):
        check_returns("f()", (1, 2, 3), ("w", "b"))
    with pytest.raises(CheckFailed, match="but returned an int"):
        check_returns("f()", 3, ("w", "b"))


def test_depends_on_takes_a_call_and_its_expected_answer():
    ns = _namespace("return np.asarray(x) * 2")
    X = np.array([[1.0, 3.0]])
    with pytest.raises(CheckFailed) as err:
        with depends_on("mean_square", square=(ns["square"], (X,), X * X)):
            check_close("mean_square(X)", call(ns["mean_square"], X), [5.0])
    assert "it calls square, which is wrong: square([[1., 3.]]) is 6 at index (0, 1)" in \
        str(err.value)
    with pytest.raises(CheckFailed) as err:
        def add(a, b):
            return a - b[:2, :2]
        with depends_on("mean_square", add=(add, (np.eye(2), np.ones((3, 3))), np.eye(2))):
            check_close("mean_square(X)", call(ns["mean_square"], X), [5.0])
    assert "add([[1., 0.], [0., 1.]], an array of shape (3, 3))" in str(err.value)


def test_check_returns_asks_about_a_forgotten_return():
    with pytest.raises(CheckFailed, match="forget the `return` statement"):
        check_returns("f()", None, ("w", "b"))


def test_check_close_keeps_the_hint_of_a_known_mistake_that_gives_nan():
    with pytest.raises(CheckFailed, match="expected a finite number.*the 0/0 of an empty row"):
        check_close("f(x)", [np.nan, 1.0], [0.5, 1.0],
                    likely={"the 0/0 of an empty row": [np.nan, 1.0]})


def test_check_close_ends_with_the_requirement_hint_when_values_are_off():
    with pytest.raises(CheckFailed) as err:
        check_close("order", [2.0, 1.0, 5.0], [1.0, 2.0, 3.0], hint="use rng.permutation(m).")
    assert str(err.value).endswith("use rng.permutation(m).")
    with pytest.raises(CheckFailed) as err:   # a known mistake's hint wins
        check_close("order", [3.0, 2.0, 1.0], [1.0, 2.0, 3.0], hint="use rng.permutation(m).",
                    likely={"reversed.": [3.0, 2.0, 1.0]})
    assert str(err.value).endswith("reversed.")
    check_close("order", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], hint="never shown")


def test_check_close_shows_the_digits_where_a_tight_tolerance_fails():
    with pytest.raises(CheckFailed, match=r"is 0\.200000001, expected 0\.2\b"):
        check_close("J(0.1)", 0.200000001, 0.2, rtol=1e-12, atol=0.0)


def test_check_close_names_a_constant_offset():
    with pytest.raises(CheckFailed, match=r"off by the same \+1: a constant added or left out"):
        check_close("conv2d(image, kernel, bias=1)", [[3.0, 4.0], [5.0, 6.0]],
                    [[2.0, 3.0], [4.0, 5.0]])
