from django import template

from health.selectors import WorkerFreshness, worker_freshness

register = template.Library()


@register.simple_tag
def workers_freshness() -> WorkerFreshness:
    return worker_freshness()
