"""Self-check questions: ``check_answered`` (the released, visible line) and
``check_answer`` (the hidden grading): every usual way of writing a right answer is
accepted, wrong ones are rejected with the answer and the explanation, bad formats get a
message that says how to write the answer."""

from __future__ import annotations

import numpy as np
import pytest

from nnutils.checks import CheckFailed, check_answer, check_answered

WHY = "(32 + 2*2 - 5)/1 + 1 = 32."


@pytest.mark.parametrize("got", [32, 32.0, np.int64(32), np.float32(32), "32", " 32 ", "32.0"])
def test_a_number_written_any_usual_way_is_right(got, capsys):
    check_answer("q_size", got, 32, WHY)
    assert capsys.readouterr().out == f"\u2714 q_size: right. {WHY}\n"


@pytest.mark.parametrize("got", [0.5, "1/2", "0.5", np.float64(0.5004)])
def test_fractions_and_rounding_within_rtol_are_right(got):
    check_answer("q_half", got, 0.5, "half")


@pytest.mark.parametrize("got", [31, "33", 32.5, np.int64(30)])
def test_a_wrong_number_fails_with_the_answer_and_why(got):
    with pytest.raises(CheckFailed) as err:
        check_answer("q_size", got, 32, WHY)
    message = str(err.value)
    assert "the answer is 32" in message and WHY in message
    assert "np.int64" not in message


@pytest.mark.parametrize("got", [(28, 28, 3), [28, 28, 3], np.array([28, 28, 3]), "(28, 28, 3)"])
def test_a_shape_tuple_is_right_in_any_container(got):
    check_answer("q_shape", got, (28, 28, 3), "same padding")


def test_a_shape_with_the_wrong_length_is_wrong():
    with pytest.raises(CheckFailed, match="the answer is"):
        check_answer("q_shape", (28, 28), (28, 28, 3), "same padding")


@pytest.mark.parametrize("got", ["b", "B", " (b) ", ["b"], "b)"])
def test_a_choice_letter_written_any_usual_way_is_right(got):
    check_answer("q_choice", got, "b", "because", choices="abcd")


@pytest.mark.parametrize("got", ["a, c", "ac", "c and a", ["c", "a"], {"a", "c"}, "A; C"])
def test_all_that_apply_accepts_any_order_and_separator(got):
    check_answer("q_all", got, {"a", "c"}, "because", choices="abcd")


@pytest.mark.parametrize("got", ["a", "a, b, c", "b"])
def test_all_that_apply_rejects_a_different_set(got):
    with pytest.raises(CheckFailed, match="the answer is a, c"):
        check_answer("q_all", got, {"a", "c"}, "because", choices="abcd")


@pytest.mark.parametrize("got", ["e", "banana", 2, None])
def test_a_choice_that_is_not_offered_says_how_to_answer(got):
    with pytest.raises(CheckFailed) as err:
        check_answer("q_choice", got, "b", "because", choices="abcd")
    assert "q_choice" in str(err.value)


@pytest.mark.parametrize("got, right", [(True, True), ("yes", True), (np.True_, True),
                                        ("False", False), (0, False)])
def test_yes_no_answers(got, right):
    if right:
        check_answer("q_yes", got, True, "why")
    else:
        with pytest.raises(CheckFailed, match="the answer is True"):
            check_answer("q_yes", got, True, "why")


def test_a_word_for_a_number_says_to_write_a_number():
    with pytest.raises(CheckFailed, match="should be a number"):
        check_answer("q_size", "thirty-two", 32, WHY)


def test_the_unanswered_placeholder_is_not_implemented_in_the_release(capsys):
    with pytest.raises(NotImplementedError, match=r"replace the \.\.\. in `q_size = \.\.\.`"):
        check_answered("q_size", ...)
    check_answered("q_size", 7)
    assert "graded, with an explanation, when you submit" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="not answered"):
        check_answer("q_size", ..., 32, WHY)
