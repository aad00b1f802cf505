"""Writes of the bounties app: the pot ledger, the bounty lifecycle, payouts, the tracker CSV."""
