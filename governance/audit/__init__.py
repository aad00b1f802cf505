"""The audit trail of a poll, in two parts.

``export``: every signed vote of a poll as a download (``votes.json``, ``votes.csv``), with
the header needed to recount it. ``recount``: ``verify_poll``'s independent check of the
site, from the database or from a downloaded ``votes.json``.
"""
