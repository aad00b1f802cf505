"""The governance API under ``/api/v1/``: reads are public; votes and proposals are
authenticated by their EIP-712 signature alone; creating, opening and finalizing polls
needs a staff session. Every refused write answers ``{"error": ..., "code": ...}``."""
