"""DOMAIN §7 ``vote_outcome`` and §8 ``split_pro_rata``: the rules as written, on any numbers."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.calculations import split_pro_rata, vote_outcome

# --- split_pro_rata ----------------------------------------------------------------------------


def test_the_domain_examples():
    assert split_pro_rata(D("1000.00"), {"federal": D("75"), "state": D("25")}) == {
        "federal": D("750.00"),
        "state": D("250.00"),
    }
    assert split_pro_rata(D("0.01"), {"state": D("1"), "federal": D("1")}) == {
        "state": D("0.00"),
        "federal": D("0.01"),
    }


def test_left_over_cents_go_to_the_largest_remainders_then_the_larger_share_then_the_key():
    # 100.00 / 3: every source 33.333…; one cent left goes to the key that sorts first.
    assert split_pro_rata(D("100.00"), {"c": 1, "b": 1, "a": 1}) == {
        "c": D("33.33"),
        "b": D("33.33"),
        "a": D("33.34"),
    }
    # 0.05 at 2 : 1 : 1 → exact 0.025 / 0.0125 / 0.0125: floors 2 / 1 / 1 cents, remainders
    # 0.5 / 0.25 / 0.25 → the one cent left goes to the largest remainder.
    assert split_pro_rata(D("0.05"), {"x": 2, "y": 1, "z": 1}) == {
        "x": D("0.03"),
        "y": D("0.01"),
        "z": D("0.01"),
    }
    # Equal remainders, different shares: 0.01 at 3 : 1 → 0.0075 / 0.0025, remainders 0.75 / 0.25.
    assert split_pro_rata(D("0.01"), {"a": 1, "b": 3}) == {"a": D("0.00"), "b": D("0.01")}
    # Equal remainders: 0.02 at 1 : 1 : 2 → 0.005/0.005/0.01: floors 0/0/1, remainders .5/.5/0;
    # one cent left, the two with .5 tie on share 1 → key order.
    assert split_pro_rata(D("0.02"), {"q": 1, "p": 1, "r": 2}) == {
        "q": D("0.00"),
        "p": D("0.01"),
        "r": D("0.01"),
    }


def test_equal_remainders_prefer_the_larger_share():
    # 0.03 at 3 : 1.5 → exact 0.02 / 0.01: no remainder. 0.01 at 2 : 2 : 1 → 0.004/0.004/0.002:
    # remainders .4/.4/.2 → the cent goes to one of the two larger; they tie in share → key.
    assert split_pro_rata(D("0.01"), {"b": 2, "a": 2, "c": 1}) == {
        "b": D("0.00"),
        "a": D("0.01"),
        "c": D("0.00"),
    }
    # 0.01 at 1 : 3 : 1 … remainders differ; build a tie on remainder with unequal shares:
    # 0.02 at 1 : 3 (sum 4) → 0.005 / 0.015: floors 0 / 1, remainders .5 / .5 → larger share first.
    assert split_pro_rata(D("0.02"), {"a": 1, "b": 3}) == {"a": D("0.00"), "b": D("0.02")}


def test_a_zero_share_stays_with_zero():
    assert split_pro_rata(D("10.00"), {"federal": 1, "eu": 0}) == {"federal": D("10.00"), "eu": D("0.00")}


@pytest.mark.parametrize(
    ("amount", "shares"),
    [
        (D("-1.00"), {"a": 1}),
        (D("1.001"), {"a": 1}),
        (D("1.00"), {"a": 0, "b": 0}),
        (D("1.00"), {"a": -1, "b": 2}),
        (D("1.00"), {}),
        (1.5, {"a": 1}),
    ],
)
def test_bad_input_is_refused(amount, shares):
    with pytest.raises(ValueError):
        split_pro_rata(amount, shares)


@given(
    cents=st.integers(min_value=0, max_value=10**12),
    shares=st.dictionaries(
        st.text("abcdefgh", min_size=1, max_size=3),
        st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=6,
    ),
)
def test_the_parts_add_up_and_no_part_is_more_than_a_cent_off(cents, shares):
    if sum(shares.values()) <= 0:
        return
    amount = D(cents) / 100
    parts = split_pro_rata(amount, shares)
    assert list(parts) == list(shares)
    assert sum(parts.values()) == amount
    total = sum(shares.values())
    for key, part in parts.items():
        exact = amount * shares[key] / total
        assert D(0) <= part - exact.quantize(D("0.01"), rounding="ROUND_DOWN") <= D("0.01")
        if shares[key] == 0:
            assert part == 0


# --- vote_outcome -------------------------------------------------------------------------------


def test_a_session_needs_more_than_half_of_the_eligible_members():
    assert vote_outcome(yes=4, no=0, abstain=0, members=9) == "not_quorate"  # 4 ≤ 4.5
    assert vote_outcome(yes=4, no=0, abstain=1, members=9) == "adopted"  # 5 > 4.5
    assert vote_outcome(yes=3, no=0, abstain=0, members=6) == "not_quorate"  # 3 = 3 is not more
    assert vote_outcome(yes=3, no=0, abstain=0, members=7, recused=2) == "adopted"  # 3 > 2.5


def test_abstentions_do_not_count_and_a_tie_rejects():
    assert vote_outcome(yes=2, no=1, abstain=4, members=9) == "adopted"
    assert vote_outcome(yes=3, no=3, abstain=0, members=9) == "rejected"
    assert vote_outcome(yes=0, no=0, abstain=5, members=9) == "rejected"


def test_circulation_needs_a_majority_of_all_eligible_members():
    assert vote_outcome(yes=5, no=0, abstain=0, members=9, procedure="circulation") == "adopted"
    assert vote_outcome(yes=4, no=0, abstain=0, members=9, procedure="circulation") == "rejected"
    assert vote_outcome(yes=4, no=0, abstain=0, members=8, procedure="circulation") == "rejected"  # 4 = 8/2
    assert vote_outcome(yes=4, no=0, abstain=0, members=8, recused=1, procedure="circulation") == "adopted"


def test_nobody_eligible():
    assert vote_outcome(yes=0, no=0, abstain=0, members=3, recused=3) == "not_quorate"
    assert vote_outcome(yes=0, no=0, abstain=0, members=3, recused=3, procedure="circulation") == "rejected"
    assert vote_outcome(yes=0, no=0, abstain=0, members=0) == "not_quorate"


def test_another_quorum():
    assert vote_outcome(yes=3, no=0, abstain=0, members=9, quorum=D("0.3")) == "adopted"  # 3 > 2.7
    assert vote_outcome(yes=2, no=0, abstain=0, members=9, quorum=D("0.3")) == "not_quorate"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"yes": -1, "no": 0, "abstain": 0, "members": 5},
        {"yes": 0, "no": 0, "abstain": 0, "members": -1},
        {"yes": 0, "no": 0, "abstain": 0, "members": 3, "recused": 4},
        {"yes": 3, "no": 1, "abstain": 0, "members": 5, "recused": 2},  # 4 votes, 3 eligible
        {"yes": 1, "no": 0, "abstain": 0, "members": 5, "procedure": "show of hands"},
        {"yes": 1.0, "no": 0, "abstain": 0, "members": 5},
    ],
)
def test_bad_counts_are_refused(kwargs):
    with pytest.raises(ValueError):
        vote_outcome(**kwargs)


@given(
    members=st.integers(0, 40),
    data=st.data(),
    procedure=st.sampled_from(["session", "circulation"]),
)
def test_outcomes_follow_the_rule(members, data, procedure):
    recused = data.draw(st.integers(0, members))
    eligible = members - recused
    yes = data.draw(st.integers(0, eligible))
    no = data.draw(st.integers(0, eligible - yes))
    abstain = data.draw(st.integers(0, eligible - yes - no))
    result = vote_outcome(
        yes=yes, no=no, abstain=abstain, members=members, recused=recused, procedure=procedure
    )
    if procedure == "circulation":
        assert result == ("adopted" if 2 * yes > eligible else "rejected")
    elif 2 * (yes + no + abstain) <= eligible:
        assert result == "not_quorate"
    else:
        assert result == ("adopted" if yes > no else "rejected")
