"""Shields-style SVG status badges, drawn server-side."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from health.selectors import DISPLAY_LABELS

COLOURS = {
    "operational": "#2e8540",
    "degraded": "#b26b00",
    "down": "#c62828",
    "maintenance": "#1f5fa8",
    "unknown": "#6b7480",
    "not_monitored": "#6b7480",
}
CHAR_WIDTH = 6.6  # average advance of 11px Verdana/DejaVu Sans
PADDING = 10


def _width(text: str) -> int:
    return round(len(text) * CHAR_WIDTH + PADDING)


def badge_svg(*, label: str, status: str) -> SafeString:
    value = DISPLAY_LABELS.get(status, status).lower()
    left, right = _width(label), _width(value)
    total = left + right
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        '<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        '<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        '<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        '<text x="{left_mid}" y="14">{label}</text>'
        '<text x="{right_mid}" y="14">{value}</text></g></svg>',
        total=total,
        left=left,
        right=right,
        colour=COLOURS.get(status, COLOURS["unknown"]),
        label=label,
        value=value,
        left_mid=left / 2,
        right_mid=left + right / 2,
    )
