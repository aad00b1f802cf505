"""Template helpers of the health app: the footer's worker freshness, a connector's health
panel, and the server-rendered SVG charts (uptime bars, latency sparklines)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from connectors_registry.models import Connector
from health.selectors import (
    DISPLAY_LABELS,
    ConnectorHealth,
    ConnectorPanel,
    WorkerFreshness,
    connector_panel,
    worker_freshness,
)
from health.uptime import UPTIME_DAYS, DayCell, uptime_ratio

register = template.Library()

BAR_WIDTH = 3.4
BAR_STEP = 5
BAR_HEIGHT = 28
SPARK_WIDTH = 120
SPARK_HEIGHT = 28


@register.simple_tag
def workers_freshness() -> WorkerFreshness:
    return worker_freshness()


@register.simple_tag
def connector_health(connector: Connector) -> ConnectorPanel:
    """The connector page's health panel (the registry app includes the template only)."""
    return connector_panel(connector=connector)


@register.filter
def percent(ratio: float | None, digits: int = 2) -> str:
    if ratio is None:
        return "n/a"
    return f"{ratio * 100:.{digits}f}%"


@register.simple_tag
def uptime_bars(days: list[DayCell], label: str = "") -> SafeString:
    """One bar per day, oldest left; colour by the day's worst slots; a tooltip per bar."""
    bars = format_html_join(
        "",
        '<rect class="bar bar-{}" x="{}" y="0" width="{}" height="{}" rx="1">'
        "<title>{}</title></rect>",
        (
            (cell.level, f"{index * BAR_STEP:.1f}", BAR_WIDTH, BAR_HEIGHT, cell.label)
            for index, cell in enumerate(days)
        ),
    )
    return _bars_svg(bars, days=len(days), ratio=uptime_ratio(days), label=label)


def _bars_svg(bars: SafeString, *, days: int, ratio: float | None, label: str) -> SafeString:
    """The frame both bar drawings share: one bar step per day, named for screen readers."""
    return format_html(
        '<svg class="uptime-bars" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" '
        'aria-label="{}{} days of uptime: {}">{}</svg>',
        days * BAR_STEP,
        BAR_HEIGHT,
        f"{label}: " if label else "",
        days,
        f"{ratio:.2%}" if ratio is not None else "no data",
        bars,
    )


LEVELS = ("none", "up", "degraded", "partial", "down")


@register.simple_tag
def uptime_bar_defs() -> SafeString:
    """Once per page: one bar pattern per level, so a run of like days is a single rect."""
    patterns = format_html_join(
        "",
        '<pattern id="uptime-{}" width="{}" height="{}" patternUnits="userSpaceOnUse">'
        '<rect class="bar bar-{}" width="{}" height="{}" rx="1"/></pattern>',
        ((level, BAR_STEP, BAR_HEIGHT, level, BAR_WIDTH, BAR_HEIGHT) for level in LEVELS),
    )
    return format_html(
        '<svg class="svg-defs" width="0" height="0" aria-hidden="true" focusable="false">'
        "<defs>{}</defs></svg>",
        patterns,
    )


@register.simple_tag
def uptime_bars_compact(health: ConnectorHealth, label: str = "") -> SafeString:
    """The status page's bars: like days drawn as one patterned rect (needs uptime_bar_defs
    on the page), so 1,000 connectors stay a light page."""
    rects = format_html_join(
        "",
        '<rect class="run run-{}" x="{}" width="{}" height="{}" fill="url(#uptime-{})">'
        "<title>{}</title></rect>",
        (
            (
                run.level,
                run.start * BAR_STEP,
                run.length * BAR_STEP,
                BAR_HEIGHT,
                run.level,
                run.label,
            )
            for run in health.bars
        ),
    )
    return _bars_svg(rects, days=UPTIME_DAYS, ratio=health.uptime_90d, label=label)


@register.simple_tag
def health_pill(status: str) -> SafeString:
    """A connector's (or an incident's) status as a coloured pill."""
    return format_html(
        '<span class="hpill hpill-{}" data-status="{}">{}</span>',
        status,
        status,
        DISPLAY_LABELS.get(status, status),
    )


@register.simple_tag
def status_rows(rows: list[ConnectorHealth]) -> SafeString:
    """The status table's rows, drawn in Python: at 1,000 connectors the template language
    would spend most of the page's time on them (and the page stays the same markup)."""
    return format_html_join("", "{}", ((_status_row(row),) for row in rows))


def _status_row(row: ConnectorHealth) -> SafeString:
    connector = row.connector
    incident = (
        format_html(
            '<div class="small"><a href="{}">incident</a></div>',
            row.open_incident.get_absolute_url(),
        )
        if row.open_incident
        else ""
    )
    latest = row.latest_latency
    return format_html(
        '<tr data-connector="{address}"><td><a class="connector-id" href="{url}">{address}</a>'
        '<div class="muted small">{exchange} · {sub_type}</div></td>'
        "<td>{pill}{incident}</td>"
        '<td class="col-bars">{bars}</td>'
        '<td class="num">{uptime}</td>'
        '<td class="col-spark">{spark}<span class="small num">{latency}</span></td></tr>',
        address=connector.address,
        url=connector.get_absolute_url(),
        exchange=connector.exchange.name,
        sub_type=connector.get_sub_type_display(),
        pill=health_pill(row.display_status),
        incident=incident,
        bars=uptime_bars_compact(row, connector.address),
        uptime=percent(row.uptime_30d),
        spark=sparkline(row.latency, connector.address),
        latency=f"{latest:,} ms" if latest is not None else "",
    )


@register.simple_tag
def sparkline(points: list[int | None], label: str = "") -> SafeString:
    """Average check latency per hour as a line; gaps where there was no data."""
    values = [p for p in points if p is not None]
    if not values:
        return format_html(
            '<svg class="sparkline is-empty" viewBox="0 0 {} {}" role="img" aria-label="{}">'
            '<line x1="0" y1="{}" x2="{}" y2="{}"/></svg>',
            SPARK_WIDTH,
            SPARK_HEIGHT,
            f"{label}: no latency data" if label else "no latency data",
            SPARK_HEIGHT - 2,
            SPARK_WIDTH,
            SPARK_HEIGHT - 2,
        )
    top = max(values) * 1.15 or 1  # headroom, so the peak is not cut by the edge
    step = SPARK_WIDTH / max(len(points) - 1, 1)
    segments: list[list[str]] = [[]]
    last_xy = ("0", "0")
    for index, point in enumerate(points):
        if point is None:
            if segments[-1]:
                segments.append([])
            continue
        x = f"{index * step:.1f}"
        y = f"{SPARK_HEIGHT - 2 - (point / top) * (SPARK_HEIGHT - 4):.1f}"
        segments[-1].append(f"{x},{y}")
        last_xy = (x, y)
    lines = format_html_join(
        "", '<polyline points="{}"/>', ((" ".join(seg),) for seg in segments if seg)
    )
    description = f"latency over 24 hours: latest {values[-1]} ms, highest {max(values)} ms"
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" role="img" aria-label="{}{}">'
        '<line class="baseline" x1="0" y1="{}" x2="{}" y2="{}"/>{}'
        '<circle cx="{}" cy="{}" r="2"/></svg>',
        SPARK_WIDTH,
        SPARK_HEIGHT,
        f"{label}: " if label else "",
        description,
        SPARK_HEIGHT - 1,
        SPARK_WIDTH,
        SPARK_HEIGHT - 1,
        lines,
        last_xy[0],
        last_xy[1],
    )
