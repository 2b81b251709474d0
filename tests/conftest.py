"""Fixtures shared by every suite: the real Rasa and action servers (tests/servers.py)."""

from tests.servers import rasa_servers

__all__ = ["rasa_servers"]
