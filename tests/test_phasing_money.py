"""Money is exact: spreads tie to the cent, rounding is Excel's, the route follows the amount."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from budgetplan.compute.phasing import place, spread_flat
from budgetplan.compute.procurement import implied_route, route_allowed
from budgetplan.core.model import Nature, Route, Thresholds
from budgetplan.core.money import round_cent, spread_shares, to_cents, to_decimal


@given(st.integers(min_value=-(10**13), max_value=10**13), st.integers(min_value=1, max_value=240))
def test_flat_spread_ties_to_the_cent(total: int, months: int) -> None:
    parts = spread_flat(total, months)
    assert sum(parts) == total
    assert len(parts) == months
    assert max(parts) - min(parts) <= 1
    # the extra cents go to the earliest months
    assert parts == sorted(parts, reverse=True)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=-70, max_value=70),
    st.integers(min_value=1, max_value=60),
)
def test_placing_in_a_period_keeps_every_cent(total: int, n: int, first: int, period: int) -> None:
    row, outside = place(spread_flat(total, n), first, period)
    assert sum(row) + outside == total


def test_spread_of_one_euro_over_three_months() -> None:
    assert spread_flat(100, 3) == [34, 33, 33]
    assert spread_flat(-100, 3) == [-33, -33, -34]


def test_rounding_is_half_away_from_zero_like_excel() -> None:
    assert round_cent(Decimal("2.675")) == Decimal("2.68")
    assert round_cent(Decimal("-2.675")) == Decimal("-2.68")
    assert to_cents(Decimal("0.005")) == 1


def test_amounts_never_go_through_binary_floats() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("1 234,56".replace(",", ".")) == Decimal("1234.56")


def test_procurement_thresholds_of_2022() -> None:
    t = Thresholds()
    assert implied_route(3_999_999, Nature.SERVICES, False, t) is Route.DIRECT
    assert implied_route(4_000_000, Nature.SERVICES, False, t) is Route.ADAPTED
    assert implied_route(9_999_999, Nature.SERVICES, True, t) is Route.DIRECT
    assert implied_route(13_999_999, Nature.SUPPLIES, False, t) is Route.ADAPTED
    assert implied_route(14_000_000, Nature.SUPPLIES, False, t) is Route.FORMAL
    assert implied_route(43_099_999, Nature.DEFENCE_SECURITY, False, t) is Route.ADAPTED
    assert implied_route(43_100_000, Nature.DEFENCE_SECURITY, False, t) is Route.FORMAL
    assert implied_route(538_199_999, Nature.WORKS, False, t) is Route.ADAPTED
    assert implied_route(10**12, Nature.GRANT, False, t) is Route.NOT_APPLICABLE
    assert route_allowed(Route.UGAP, Route.FORMAL)
    assert route_allowed(Route.FORMAL, Route.DIRECT)
    assert not route_allowed(Route.ADAPTED, Route.FORMAL)


@given(
    st.integers(min_value=-(10**9), max_value=10**12),
    st.integers(min_value=1, max_value=48),
    st.integers(min_value=-50, max_value=50),
    st.integers(min_value=-10, max_value=60),
    st.integers(min_value=0, max_value=60),
)
def test_range_sums_equal_the_month_by_month_spread(
    total: int, n: int, first: int, lo: int, width: int
) -> None:
    from budgetplan.compute.figures import _flat_in_range

    parts = spread_flat(total, n)
    brute = sum(c for k, c in enumerate(parts) if lo <= first + k < lo + width)
    assert _flat_in_range(total, n, first, lo, lo + width) == brute


def test_programme_month_totals_equal_the_sum_of_lines(default_loaded) -> None:
    from budgetplan.compute.figures import compute

    fig = compute(default_loaded.programme)
    by_month = [sum(col) for col in zip(*(lf.monthly for lf in fig.lines), strict=True)]
    assert fig.cp_by_month == by_month
    for lf in fig.lines:
        monthly = lf.monthly
        for year in fig.years:
            in_year = sum(c for m, c in zip(fig.months, monthly, strict=True) if m.year == year)
            assert lf.cp_by_year[year] == in_year


def test_one_rounding_rule_to_the_cent_everywhere() -> None:
    """Half away from zero, as Excel's ROUND: never the truncation int(x * 100) gives."""
    from budgetplan.compute.procurement import formal_threshold_cents
    from budgetplan.core import money
    from budgetplan.core.model import Nature, Thresholds
    from budgetplan.diff.compare import _cents

    assert money.to_cents(Decimal("0.29")) == 29  # int(0.29 * 100) is 28 in floats
    assert money.to_cents(Decimal("1.005")) == 101  # truncation gives 100
    assert money.to_cents(Decimal("-1.005")) == -101
    assert _cents(Decimal("1.005")) == 101
    th = Thresholds(
        direct=Decimal("40000"),
        direct_innovative=Decimal("100000"),
        formal_supplies_services=Decimal("140000.29"),
        formal_defence_security=Decimal("431000"),
        formal_works=Decimal("5382000"),
    )
    assert formal_threshold_cents(Nature.SUPPLIES, th) == 14_000_029
    assert money.eur(123456789) == "1 234 567.89 EUR"
    assert money.eur(-5, "fr") == "-0,05 €"
    assert money.parse_amount("1 234,56 €") == Decimal("1234.56")
    assert money.parse_amount("1,234.56") == Decimal("1234.56")
    assert money.parse_amount("0,055") == Decimal("0.055")


def test_an_amount_two_languages_read_differently_is_refused_not_guessed() -> None:
    """1,500 is 1.5 to a French reader and 1500 to an English one: budgetplan asks."""
    import pytest

    from budgetplan.core import money
    from budgetplan.readback.actuals import parse_amount as actual_amount
    from budgetplan.xlsx.codec import CellError, codec

    for reader, error in ((money.parse_amount, ValueError), (actual_amount, ValueError)):
        with pytest.raises(error, match="could be 1.5 .* or 1500 .*write 1500 or 1,5"):
            reader("1,500")
    with pytest.raises(CellError, match="could be"):
        codec("money").decode("250,000")


def test_a_cut_in_odd_cents_is_rounded_not_truncated() -> None:
    from budgetplan.scenarios.scenario import Scenario

    cut = Scenario.default().cut_envelope(Decimal("40000000.005"), strategy="pro_rata")
    assert cut.programme.envelopes[0].ae == Decimal("40000000.01")


def test_an_amount_in_scientific_notation_is_refused_not_read() -> None:
    """1,5e3 typed as text is 1500 to one reader and a code to another: budgetplan asks for the
    amount in full digits, in scenario files, cells and actuals alike."""
    import pytest

    from budgetplan.core import money
    from budgetplan.readback.actuals import parse_amount as actual_amount

    for text in ("1,5e3", "1E6", "2.5e-1 €"):
        for reader in (money.parse_amount, actual_amount):
            with pytest.raises(ValueError, match="scientific notation|n'est pas un montant"):
                reader(text)
    assert money.parse_amount("1 500") == 1500


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**11), min_size=1, max_size=12).filter(any),
)
def test_shares_tie_to_the_cent_and_stay_within_a_cent_of_pro_rata(
    total: int, weights: list[int]
) -> None:
    shares = spread_shares(total, weights)
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share * whole - total * weight) < whole  # within one cent of its exact share
        assert weight or share == 0  # nothing to a zero weight
