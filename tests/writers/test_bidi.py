"""Bidi levels of a line's pieces (UAX 9): numbers beside right-to-left words, isolates."""

from __future__ import annotations

import pytest

from galleys.writers.bidi import levels, piece_class


@pytest.mark.parametrize(("text", "kind"), [
    ("Smith", "L"), ("علی", "AL"), ("כהן", "R"), ("2024", "EN"), ("٢٠٢٤", "AN"), (",", "CS"),
    ("-", "ES"), ("%", "ET"), (" ", "ON"), ("\u2068", "FSI"), ("\u2069", "PDI"), ("P01", "L"),
])
def test_piece_class(text: str, kind: str) -> None:
    assert piece_class(text) == kind


def test_a_number_after_arabic_letters_sits_above_them() -> None:
    # "علی رضا2, Sarah": the 2 follows Arabic letters (W2: AN), the comma takes the line's side
    assert levels(["AL", "ON", "AL", "EN", "CS", "ON", "L"], "ltr") == [1, 1, 1, 2, 0, 0, 0]


def test_a_number_between_separators_stays_one_number() -> None:
    # "عدد 1,000": W4 keeps "1,000" one number at level 2 inside the right-to-left run
    assert levels(["AL", "ON", "EN", "CS", "EN"], "ltr") == [1, 1, 2, 2, 2]


def test_english_words_in_a_right_to_left_line() -> None:
    assert levels(["AL", "ON", "L", "ON", "L", "ON", "AL"], "rtl") == [1, 1, 2, 2, 2, 1, 1]


def test_an_isolate_keeps_two_right_to_left_names_in_their_order() -> None:
    # Without isolates the two names form one right-to-left run and swap places.
    plain = levels(["AL", "CS", "ON", "R"], "ltr")
    assert plain == [1, 1, 1, 1]
    isolated = levels(["FSI", "AL", "PDI", "CS", "ON", "FSI", "R", "PDI"], "ltr")
    assert isolated == [0, 1, 0, 0, 0, 0, 1, 0]


def test_a_marker_after_an_isolated_name_follows_the_line() -> None:
    # "John¹, ⁨علی رضا⁩²": the 2 after the isolate is a number after L (W7): level 0
    classes = ["L", "EN", "CS", "ON", "FSI", "AL", "ON", "AL", "PDI", "EN"]
    assert levels(classes, "ltr") == [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]


def test_nested_isolates_and_a_left_to_right_name_in_a_right_to_left_line() -> None:
    classes = ["FSI", "L", "ON", "L", "PDI", "CS", "ON", "FSI", "AL", "PDI"]
    assert levels(classes, "rtl") == [1, 2, 2, 2, 1, 1, 1, 1, 3, 1]
    assert levels(["FSI", "L", "FSI", "AL", "PDI", "PDI"], "ltr") == [0, 2, 2, 3, 2, 0]
