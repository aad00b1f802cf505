"""The pot chart's time axis: distinct, meaningful tick labels whatever the span (one entry,
entries within a day, over days, months and years), and labels that stay inside the chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounties.charts import HEIGHT, NARROW, PAD_BOTTOM, WIDE, balance_chart, time_axis
from bounties.selectors import HistoryPoint

DEC_1 = datetime(2026, 12, 1, 9, 30, 5, tzinfo=UTC)
TICK_Y = f"{HEIGHT - PAD_BOTTOM + 17:.1f}"  # the baseline of the time labels


def points_at(*moments: datetime, balance: Decimal = Decimal(1000)) -> list[HistoryPoint]:
    return [HistoryPoint(at=at, balance=balance, available=balance) for at in moments]


def svg_texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter("text"))  # noqa: S314 (our own output)


def time_labels(svg: str) -> list[str]:
    return [t.text or "" for t in svg_texts(svg) if t.get("y") == TICK_Y]


def caption(svg: str) -> str | None:
    found = [t.text for t in svg_texts(svg) if "axis-caption" in (t.get("class") or "")]
    return found[0] if found else None


# --- one entry ----------------------------------------------------------------------------


def test_a_single_entry_is_labelled_once_with_its_date_and_time():
    axis = time_axis(start=DEC_1, end=DEC_1)

    assert axis.ticks == [(DEC_1, "1 Dec 2026 09:30")]
    assert axis.caption == ""


def test_the_chart_of_a_single_entry_has_one_time_label_and_no_caption():
    svg = balance_chart(points=points_at(DEC_1), denomination="HBOT")

    assert time_labels(svg) == ["1 Dec 2026 09:30"]
    assert caption(svg) is None


def test_entries_made_at_one_moment_are_labelled_once():
    svg = balance_chart(points=points_at(DEC_1, DEC_1, DEC_1), denomination="HBOT")

    assert time_labels(svg) == ["1 Dec 2026 09:30"]


# --- within a day ---------------------------------------------------------------------------


def test_entries_on_one_day_are_labelled_by_hour_with_the_date_said_once():
    # given entries from 09:30 to 15:10 on 1 December
    end = DEC_1.replace(hour=15, minute=10)

    axis = time_axis(start=DEC_1, end=end, max_ticks=6)

    assert [label for _, label in axis.ticks] == [
        "10:00",
        "11:00",
        "12:00",
        "13:00",
        "14:00",
        "15:00",
    ]
    assert axis.caption == "1 Dec 2026 (UTC)"


def test_the_chart_of_one_day_shows_the_date_once_and_distinct_times():
    moments = [DEC_1 + timedelta(minutes=m) for m in (0, 40, 95, 200, 330)]

    svg = balance_chart(points=points_at(*moments), denomination="USDC")

    labels = time_labels(svg)
    assert len(labels) >= 2
    assert len(set(labels)) == len(labels)
    assert all(len(label) == 5 and label[2] == ":" for label in labels)  # HH:MM
    assert caption(svg) == "1 Dec 2026 (UTC)"
    assert svg.count("1 Dec 2026") == 2  # the caption and the chart's title, no tick


def test_a_span_under_a_day_across_midnight_labels_times_and_the_new_day():
    start = datetime(2026, 11, 30, 17, 45, tzinfo=UTC)

    axis = time_axis(start=start, end=start + timedelta(hours=14), max_ticks=4)

    assert [label for _, label in axis.ticks] == ["18:00", "1 Dec", "06:00"]
    assert axis.caption == "30 Nov \N{EN DASH} 1 Dec 2026 (UTC)"


def test_entries_seconds_apart_are_labelled_to_the_second():
    axis = time_axis(start=DEC_1, end=DEC_1 + timedelta(seconds=40), max_ticks=4)

    assert [label for _, label in axis.ticks] == ["09:30:10", "09:30:20", "09:30:30", "09:30:40"]
    assert axis.caption == "1 Dec 2026 (UTC)"


def test_entries_within_one_second_are_labelled_once_to_the_second():
    axis = time_axis(start=DEC_1, end=DEC_1 + timedelta(milliseconds=300))

    assert [label for _, label in axis.ticks] == ["09:30:05"]
    assert axis.caption == "1 Dec 2026 (UTC)"


def test_times_follow_the_current_time_zone():
    from django.utils import timezone

    with timezone.override("Asia/Tokyo"):  # UTC+9: 09:30 UTC is 18:30 there
        axis = time_axis(start=DEC_1, end=DEC_1 + timedelta(hours=2), max_ticks=2)

    assert [label for _, label in axis.ticks] == ["19:00", "20:00"]
    assert axis.caption == "1 Dec 2026 (Asia/Tokyo)"


# --- over days, months, years ----------------------------------------------------------------


def test_entries_over_several_days_are_labelled_by_day_with_the_year_said_once():
    axis = time_axis(start=DEC_1, end=DEC_1 + timedelta(days=4), max_ticks=5)

    assert [label for _, label in axis.ticks] == ["2 Dec", "3 Dec", "4 Dec", "5 Dec"]
    assert axis.caption == "2026"


def test_the_chart_over_days_has_distinct_day_labels_left_to_right():
    moments = [DEC_1 + timedelta(days=d, hours=d) for d in range(12)]

    svg = balance_chart(points=points_at(*moments), denomination="HBOT")

    labels = [t for t in svg_texts(svg) if t.get("y") == TICK_Y]
    names = [t.text for t in labels]
    assert len(names) >= 3
    assert len(set(names)) == len(names)
    assert all(name and name.endswith((" Dec", " Nov")) for name in names)
    xs = [float(t.get("x") or 0) for t in labels]
    assert xs == sorted(xs)
    assert caption(svg) == "2026"


def test_a_day_and_a_bit_labels_hours_with_their_day():
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    axis = time_axis(start=start, end=start + timedelta(hours=30), max_ticks=3)

    assert [label for _, label in axis.ticks] == ["1 Dec 12:00", "2 Dec", "2 Dec 12:00"]
    assert axis.caption == "2026 (UTC)"


def test_days_across_new_year_give_both_years_in_the_caption():
    start = datetime(2026, 12, 28, tzinfo=UTC)

    axis = time_axis(start=start, end=start + timedelta(days=8), max_ticks=5)

    assert [label for _, label in axis.ticks] == ["28 Dec", "30 Dec", "1 Jan", "3 Jan", "5 Jan"]
    assert axis.caption == "2026 \N{EN DASH} 2027"


def test_months_are_labelled_with_their_year():
    axis = time_axis(start=DEC_1, end=DEC_1 + timedelta(days=200), max_ticks=3)

    assert [label for _, label in axis.ticks] == ["Jan 2027", "Mar 2027", "May 2027"]
    assert axis.caption == ""


def test_years_are_labelled_by_year():
    axis = time_axis(start=DEC_1, end=DEC_1 + timedelta(days=3650), max_ticks=3)

    assert [label for _, label in axis.ticks] == ["2030", "2035"]


# --- any span ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=datetime(2090, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)),
    max_ticks=st.integers(min_value=3, max_value=6),
)
def test_any_span_gets_distinct_labels_in_order_within_it(start, span, max_ticks):
    axis = time_axis(start=start, end=start + span, max_ticks=max_ticks)

    labels = [label for _, label in axis.ticks]
    times = [at for at, _ in axis.ticks]
    assert 1 <= len(labels) <= 4 * max_ticks + 1
    assert len(set(labels)) == len(labels)
    assert times == sorted(times)
    assert all(start <= at <= start + span for at in times)
    if span >= timedelta(seconds=2):
        assert len(labels) >= 2


# --- labels inside the chart -------------------------------------------------------------------


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_labels_of_large_amounts_and_long_spans_stay_inside_the_chart(width):
    moments = [DEC_1 + timedelta(hours=7 * i) for i in range(30)]
    points = points_at(*moments, balance=Decimal("123456789.5"))

    svg = balance_chart(points=points, denomination="HBOT", width=width)

    font = 11 if width == WIDE else 12
    for text in svg_texts(svg):
        x, size = float(text.get("x") or 0), len(text.text or "") * font * 0.62
        left = {"end": x - size, "middle": x - size / 2}.get(text.get("text-anchor") or "", x)
        assert left >= 0, text.text
        assert left + size <= width, text.text
    tick_texts = [t for t in svg_texts(svg) if t.get("y") == TICK_Y]
    for a, b in pairwise(tick_texts):
        assert float(b.get("x") or 0) > float(a.get("x") or 0)


def test_the_narrow_chart_has_fewer_ticks_than_the_wide_one():
    moments = [DEC_1 + timedelta(days=d) for d in range(20)]

    wide = balance_chart(points=points_at(*moments), denomination="HBOT", width=WIDE)
    narrow = balance_chart(points=points_at(*moments), denomination="HBOT", width=NARROW)

    assert 2 <= len(time_labels(narrow)) < len(time_labels(wide))
    assert 'viewBox="0 0 360 ' in narrow
    assert 'id="chart-hbot-narrow-t"' in narrow
    assert 'id="chart-hbot-wide-t"' in wide


def test_no_entries_no_chart():
    assert balance_chart(points=[], denomination="HBOT") == ""
