"""Writes of the health app, one module per subject: heartbeats, the sweep, one check,
status, incidents and maintenance, alerts, history.

Every write that a retry could repeat is idempotent: results have a natural key, due work is
claimed with conditional updates, alert deliveries are claimed before they are sent.
"""
