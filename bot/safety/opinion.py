"""The safety screen's second opinion: the live model's risk regression, read in the gateway.

The screen's clear tier sends the crisis reply and opens a high-risk case at once, before Rasa
has read the message (docs/design.md, "Safety rules"). Its patterns cannot tell "he is
strangling me" from "my landlord is strangling us with fees", or "he shot at me" from "got shot
down for an apartment"; the risk model (:mod:`contract.risk_model`), trained on the same data
with those contrasts, can. So the screen asks it: a clear signal whose P(escalate) the model puts
below :data:`bot.safety.VETO` is uncertain instead (what was asked for, then "Are you safe right
now?", and a "No" escalates). The figures that chose this are in docs/figures.md ("The screen's
clear tier against the risk model").

The model is the one in the live model's archive (``models/live.json``'s, else the one Rasa
says it runs: :meth:`bot.admin.service.AdminService.live_model`), read in a thread; the gateway
looks every :data:`FOLLOW_SECONDS` whether the live model changed (a promotion from ``/admin``
or the CLI) and reads the new one while the old one goes on answering. Until a model is read,
or when none can be (Rasa down at start, an archive without a risk model, a file that is not
one), there is no second opinion and the screen's clear tier stands as it is: the crisis reply
is never held back for want of a model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from contract.risk_model import RiskModel, from_archive

log = logging.getLogger(__name__)

FOLLOW_SECONDS = 10.0


class Opinion:
    """P(escalate) of a message by the live model's risk regression, or None without one."""

    def __init__(self) -> None:
        self._model: RiskModel | None = None
        self._source: tuple[Path, float] | None = None  # the archive read, and its mtime
        self._refused: tuple[Path, float] | None = None  # the last archive that could not be

    @property
    def model(self) -> str | None:
        """The file name of the model whose regression answers, if any."""
        return self._source[0].name if self._source and self._model else None

    def __call__(self, text: str) -> float | None:
        model = self._model
        if model is None:
            return None
        try:
            return model.escalate_of([text])[0]
        except Exception:  # a model that cannot read this text: no opinion, the screen stands
            log.exception("the risk model could not score a message; the screen's tier stands")
            return None

    def read(self, path: Path) -> bool:
        """Read the risk model of the archive at ``path`` (blocking: seconds at most); False,
        and the model before kept, when it cannot be read."""
        source = (path, path.stat().st_mtime) if path.is_file() else (path, 0.0)
        if source in (self._source, self._refused):
            return self._source == source
        try:
            model = from_archive(path)
        except ValueError as exc:
            self._refused = source
            kept = f"; {self.model} goes on answering" if self.model else ""
            log.warning(
                "no second opinion from %s for the safety screen: %s%s", path.name, exc, kept
            )
            return False
        self._model, self._source = model, source
        log.info("the safety screen's second opinion is the risk model of %s", path.name)
        return True

    async def follow(
        self, live: Callable[[], Awaitable[Path | None]], every: float = FOLLOW_SECONDS
    ) -> None:
        """Keep to the live model: ``live()`` names its archive; read again when it changes."""
        while True:
            try:
                path = await live()
                if path is not None:
                    await asyncio.to_thread(self.read, path)
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the loop die: the next look may succeed
                log.exception("looking for the live model's risk model failed")
            await asyncio.sleep(every)
