"""A connector's timeline: every app's events merged, newest first, a page at a time.

Each provider of ``connector_timeline`` returns its newest events before the cursor; the
registry merges them and cuts the page. A page never splits the events of one instant, so
``?before=<oldest time on the page>`` gives the next page with no gap and no repeat. The
cost of a page is one round of provider queries whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.http.request import split_domain_port

from connectors_registry.extension_points import (
    TimelineEvent,
    TimelineQuery,
    connector_timeline,
)
from connectors_registry.models import Connector
from core.extension_points import ExtensionPoint

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
CURSOR_EXAMPLE = "2025-01-31T12:00:00Z"
# The date in tag URIs (RFC 4151): when the site's name was first used for these ids.
TAG_DATE = "2026-01-01"


class CursorError(ValueError):
    """A ``before`` cursor that is not an ISO 8601 time with a time zone."""


def cursor_parse(value: str) -> datetime:
    """``before=...`` as an aware datetime; ``CursorError`` says what is wrong."""
    text = value.strip().upper()  # RFC 3339 allows "t" and "z"
    # An unencoded "+01:00" arrives as " 01:00"; the space cannot be meant.
    if len(text) > 19 and text[-6] == " ":
        text = f"{text[:-6]}+{text[-5:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CursorError(
            f"before must be an ISO 8601 time with a time zone, e.g. {CURSOR_EXAMPLE}; "
            f"got {value[:40]!r}."
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise CursorError(
            f"before needs a time zone (Z or +00:00), e.g. {CURSOR_EXAMPLE}; got {value[:40]!r}."
        )
    try:
        return when.astimezone(UTC)
    except OverflowError:
        raise CursorError(f"before is out of range; got {value[:40]!r}.") from None


def cursor_format(when: datetime) -> str:
    """The cursor for ``when``: UTC, to the microsecond, ``Z`` (safe in a query string)."""
    return when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def timeline_sort(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Newest first; at one instant by kind; otherwise as the providers gave them."""
    by_kind = sorted(events, key=lambda event: event.kind)
    return sorted(by_kind, key=lambda event: event.when, reverse=True)


@dataclass(frozen=True)
class TimelinePage:
    events: list[TimelineEvent]
    before: datetime | None
    next_before: datetime | None  # the cursor of the next, older page; None on the last

    @property
    def next_cursor(self) -> str | None:
        return cursor_format(self.next_before) if self.next_before is not None else None


def connector_timeline_page(
    *,
    connector: Connector,
    before: datetime | None = None,
    limit: int = PAGE_SIZE,
    point: ExtensionPoint[TimelineQuery, list[TimelineEvent]] = connector_timeline,
) -> TimelinePage:
    """At most ``limit`` of the connector's newest events before ``before``, all apps merged.

    Providers are asked for one more than ``limit`` each, which tells whether an older page
    exists. Only when more than ``limit`` events share one instant are they asked again, for
    more, and that page holds the whole instant.
    """
    ask = limit + 1
    while True:
        query = TimelineQuery(connector=connector, before=before, limit=ask)
        answers = [_newest(answer, before=before, limit=ask) for answer in point.collect(query)]
        merged = timeline_sort([event for answer in answers for event in answer])
        if len(merged) <= limit:
            return TimelinePage(events=merged, before=before, next_before=None)
        boundary = merged[limit - 1].when
        # Every provider gave all its events at the boundary instant (or all it has).
        complete = all(
            len(answer) < ask or min(event.when for event in answer) < boundary
            for answer in answers
        )
        if complete and merged[limit].when < boundary:
            return TimelinePage(events=merged[:limit], before=before, next_before=boundary)
        newer = [event for event in merged[:limit] if event.when > boundary]
        if newer:  # the boundary instant goes whole to the next page
            return TimelinePage(events=newer, before=before, next_before=newer[-1].when)
        if complete:  # more than a page at one instant: this page holds all of them
            instant = [event for event in merged if event.when == boundary]
            more = len(merged) > len(instant)
            return TimelinePage(
                events=instant, before=before, next_before=boundary if more else None
            )
        ask *= 2


def _newest(
    events: list[TimelineEvent], *, before: datetime | None, limit: int
) -> list[TimelineEvent]:
    """A provider's answer held to its contract, whatever it returned."""
    older = [event for event in events if before is None or event.when < before]
    return sorted(older, key=lambda event: event.when, reverse=True)[:limit]


def timeline_event_tag(event: TimelineEvent, *, host: str) -> str:
    """A stable, unique id for ``event`` (an Atom entry id): a tag URI (RFC 4151) from the
    site's host, the event's page, kind and time."""
    domain, _port = split_domain_port(host)
    authority = domain if domain and not domain.startswith("[") else "localhost"
    return f"tag:{authority},{TAG_DATE}:{event.url}:{event.kind}:{cursor_format(event.when)}"
