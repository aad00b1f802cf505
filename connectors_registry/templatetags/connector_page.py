"""Rendering the panels other apps provide for the connector page."""

from __future__ import annotations

from django import template
from django.template import Engine
from django.template.context import Context
from django.utils.safestring import SafeString

from connectors_registry.extension_points import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: Context, panel: Panel) -> SafeString:
    """Render ``panel`` as ``{% include %}`` would: the page's context plus the panel's own;
    what the panel's template sets stays inside it."""
    engine = context.template.engine if context.template is not None else Engine.get_default()
    panel_template = engine.get_template(panel.template_name)
    with context.push(**panel.context):
        return panel_template.render(context)
