"""Errors of the health app that cross module boundaries (services raise, tasks retry)."""


class AlertTemporaryError(Exception):
    """The webhook did not take the alert this time (network, 429, 5xx): retry later."""
