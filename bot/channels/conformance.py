"""For mypy alone: each channel package has the interface the gateway's app calls.

Nothing imports this module (so the interface, in ``bot/channels/__init__.py``, imports no
package); mypy reads it with the rest of ``bot/`` and fails here when a package lacks one of
:class:`bot.channels.Unit`'s functions or gives one another signature.
"""

from __future__ import annotations

from bot.channels import Unit, sms, telegram, webchat

UNITS: tuple[Unit, ...] = (telegram, sms, webchat)
