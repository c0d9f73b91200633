"""The expected wait and the nearest department with doctors online (pure, hospital/rules.py)."""
from healthhub.hospital import rules
from healthhub.hospital.rules import DepartmentLoad, expected_wait_minutes, nearest_staffed

GP = 9


def test_nobody_online_gives_no_estimate():
    assert expected_wait_minutes(waiting=0, online_doctors=0) is None
    assert expected_wait_minutes(waiting=5, online_doctors=0) is None


def test_an_empty_queue_with_a_doctor_online_is_taken_at_once():
    assert expected_wait_minutes(waiting=0, online_doctors=1) == 0


def test_doctors_share_the_queue_in_rounds_of_one_consultation():
    minutes = rules.TYPICAL_CONSULTATION_MINUTES
    assert expected_wait_minutes(waiting=1, online_doctors=1) == minutes
    assert expected_wait_minutes(waiting=3, online_doctors=2) == 2 * minutes  # two rounds: 2 + 1 ahead
    assert expected_wait_minutes(waiting=4, online_doctors=2) == 2 * minutes
    assert expected_wait_minutes(waiting=4, online_doctors=2, minutes_per_consultation=6) == 12


def load(department_id, centre_id, online, waiting=0):
    return DepartmentLoad(department_id=department_id, centre_id=centre_id, online_doctors=online, waiting=waiting)


def test_a_sibling_department_of_the_same_centre_comes_first():
    wanted = load(1, 5, 0)
    others = [wanted, load(2, 5, 1, waiting=3), load(3, GP, 4), load(4, 6, 9)]
    assert nearest_staffed(wanted, others, general_centre_id=GP).department_id == 2


def test_within_a_centre_the_shortest_wait_wins_then_the_most_doctors():
    wanted = load(1, 5, 0)
    assert nearest_staffed(wanted, [load(2, 5, 1, waiting=3), load(3, 5, 2, waiting=2)],
                           general_centre_id=GP).department_id == 3
    assert nearest_staffed(wanted, [load(2, 5, 1), load(3, 5, 2)], general_centre_id=GP).department_id == 3


def test_general_practice_when_the_centre_has_nobody_online():
    wanted = load(1, 5, 0)
    assert nearest_staffed(wanted, [load(2, 5, 0), load(3, GP, 1), load(4, 6, 9)],
                           general_centre_id=GP).department_id == 3


def test_no_alternative_in_an_unrelated_centre():
    wanted = load(1, 5, 0)
    assert nearest_staffed(wanted, [load(2, 5, 0), load(4, 6, 9)], general_centre_id=GP) is None
    assert nearest_staffed(wanted, [load(4, 6, 9)], general_centre_id=None) is None
