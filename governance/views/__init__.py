"""Governance pages, one module per subject: sign-in, epochs and rules, polls, proposals."""
