"""The alert tests' fixtures (shared with tests/workers/test_alerts.py)."""

from tests.support.alert_fixtures import engine, memory, rules, sessions, worker

__all__ = ["engine", "memory", "rules", "sessions", "worker"]
