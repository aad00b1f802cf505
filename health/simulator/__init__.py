"""A local exchange simulator: every bundled exchange's public REST and WebSocket API on one
loopback server, with deterministic data and fault injection per exchange."""

from health.simulator.faults import FAULTS, Faults
from health.simulator.server import ExchangeSimulator

__all__ = ["FAULTS", "ExchangeSimulator", "Faults"]
