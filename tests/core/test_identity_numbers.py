from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthhub.core.identity_numbers import (InvalidIdentityNumber, id_check_char, make_resident_id, mask_id_number,
                                             mask_mobile, normalize_mobile, parse_resident_id)

def test_a_published_sample_number_yields_birth_date_and_sex():
    # The GB 11643 sample number quoted in most documentation of the standard.
    parsed = parse_resident_id("11010519491231002X")
    assert (parsed.birth_date, parsed.sex, parsed.region_code) == (date(1949, 12, 31), "F", "110105")


def test_lower_case_x_and_spaces_are_accepted():
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize("number", [
    "110105194912310021",  # wrong check character
    "11010519491231002",  # 17 characters
    "1101051949123100X2",  # X not last
    "110105194902300024",  # 30 February
    "110105209912310028",  # born in the future
    "",
])
def test_invalid_numbers_are_refused_with_a_reason(number):
    with pytest.raises(InvalidIdentityNumber) as info:
        parse_resident_id(number, today=date(2026, 11, 23))
    assert "/" in str(info.value)  # Chinese and English message


def test_implausibly_old_birth_year_is_refused():
    with pytest.raises(InvalidIdentityNumber):
        parse_resident_id("440524188001010014")  # checksum fine, born 1880


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)), st.integers(0, 999), st.booleans())
def test_generated_numbers_round_trip(birth, sequence, female):
    number = make_resident_id("310101", birth, sequence, female=female)
    parsed = parse_resident_id(number, today=date(2026, 11, 23))
    assert parsed.birth_date == birth
    assert parsed.sex == ("F" if female else "M")
    assert id_check_char(number[:17]) == number[17]


def test_age_counts_birthdays():
    parsed = parse_resident_id(make_resident_id("110101", date(2000, 6, 15), 1, female=False))
    assert parsed.age_on(date(2026, 6, 14)) == 25
    assert parsed.age_on(date(2026, 6, 15)) == 26


@pytest.mark.parametrize(("raw", "expected"), [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000")])
def test_mobile_numbers_are_normalised(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "abc"])
def test_bad_mobile_numbers_are_refused(raw):
    with pytest.raises(InvalidIdentityNumber):
        normalize_mobile(raw)


def test_masking_keeps_only_the_ends():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_mobile("13800138000") == "138****8000"
