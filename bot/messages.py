"""The gateway's own texts (``bot/messages.yml``), in each of the region's languages, filled
from the region file once at start-up.

:func:`load_messages` gives a :class:`Catalog`: ``catalog.of("es")`` is the :class:`Messages`
of one language. Filling is strict: a text missing in a language, or a placeholder the region
cannot fill, stops start-up with a :class:`~bot.errors.MessagesError`, so a crisis reply can
never go out with a hole in it, nor in the wrong language for want of a translation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import MessagesError
from contract import DEFAULT_LANGUAGE, SELF_HARM

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
# Placeholders filled when a text is sent (written {{name}} in the file), and which texts have them.
RUNTIME = {
    "handoff_unavailable": ("back",),
    "handoff_timed_out": ("back",),
    "staff_back": ("when",),
    "followup_webchat": ("channels",),
    "checkin_appointment": ("when", "place"),
}


@dataclass(frozen=True)
class Messages:
    """The gateway's texts in one language."""

    crisis_self_harm: str
    crisis_danger: str
    crisis_medical: str
    assistant_down: str
    lines_while_down: str
    gave_up: str
    help: str
    sms_stop_hint: str
    media: str
    empty: str
    bad_location: str
    language_chosen: str
    language_button: str
    person_button: str
    sms_choose: str
    share_location_button: str
    handoff_finding: str
    handoff_after_hours: str
    handoff_no_speaker: str
    handoff_joined: str
    handoff_unavailable: str
    handoff_nobody: str
    staff_back: str
    handoff_closed: str
    handoff_timed_out: str
    handoff_still_waiting: str
    handoff_passed_on: str
    handoff_media: str
    erase_offer: str
    erase_yes_button: str
    erase_no_button: str
    erase_started: str
    erase_kept: str
    erase_not_now: str
    followup_offer_bed: str
    followup_offer_help: str
    followup_offer_safe: str
    followup_yes_button: str
    followup_no_button: str
    followup_accepted: str
    followup_declined: str
    followup_webchat: str
    followup_question_bed: str
    followup_question_help: str
    followup_reminder: str
    followup_neutral: str
    followup_neutral_button: str
    followup_outcome_1: str
    followup_outcome_2: str
    followup_outcome_3: str
    followup_outcome_4: str
    followup_outcome_5: str
    followup_glad: str
    followup_sorry: str
    followup_noted: str
    followup_pick: str
    followup_stopped: str
    followup_over: str
    followup_none: str
    checkin_template: str
    checkin_appointment: str
    checkin_hint: str
    checkin_passed: str
    page_title: str
    page_quick_exit: str
    page_quick_exit_hint: str
    page_forget: str
    page_danger: str
    page_conversation: str
    page_message_label: str
    page_placeholder: str
    page_send: str
    page_sending: str
    page_not_sent: str
    page_use_location: str
    page_my_location: str
    page_finding_location: str
    page_location_failed: str
    page_cant_reach: str
    page_kept: str
    page_went_wrong: str
    language: str = DEFAULT_LANGUAGE

    def page(self) -> dict[str, str]:
        """The web chat page's texts (``page_*``), by name without the prefix."""
        return {
            f.name.removeprefix("page_"): getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name.startswith("page_")
        }

    def crisis(self, risk: str, medical: bool = False) -> str:
        """The crisis reply for a risk the safety screen found."""
        if risk == SELF_HARM:
            return self.crisis_self_harm
        return self.crisis_medical if medical else self.crisis_danger

    def with_back(self, text: str, when: str | None) -> str:
        """A handoff text with when staff are back ("tomorrow at 9:00 AM"), or without it."""
        back = self.staff_back.format(when=when) + " " if when else ""
        return text.format(back=back)


NAMES = tuple(f.name for f in dataclasses.fields(Messages) if f.name != "language")


@dataclass(frozen=True)
class Catalog:
    """The gateway's texts in every language of the region; the first is the default."""

    by_language: Mapping[str, Messages]
    default: str = DEFAULT_LANGUAGE

    def of(self, language: str | None) -> Messages:
        """The texts of ``language``, or of the default language when it has none."""
        return self.by_language.get(language or self.default) or self.by_language[self.default]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.by_language)


def load_messages(
    values: Mapping[str, Mapping[str, str]] | Mapping[str, str],
    path: Path = MESSAGES_FILE,
) -> Catalog:
    """Read the message file and fill every text of every language with the region's
    ``values`` (``{language: values}``; a flat mapping is the English values alone)."""
    by_language: Mapping[str, Mapping[str, str]]
    if values and all(isinstance(v, Mapping) for v in values.values()):
        by_language = values  # type: ignore[assignment]
    else:
        by_language = {DEFAULT_LANGUAGE: values}  # type: ignore[dict-item]
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MessagesError(f"cannot read the gateway's messages {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise MessagesError(f"{path} must hold a mapping of names to texts")
    missing = [
        f"{name} ({language})"
        for name in NAMES
        for language in by_language
        if not isinstance((raw.get(name) or {}).get(language), str)
    ]
    if missing:
        raise MessagesError(f"{path} lacks {', '.join(missing)}")
    catalog = {}
    for language, fills in by_language.items():
        filled = {}
        for name in NAMES:
            text = raw[name][language]
            try:
                filled[name] = " ".join(text.format_map(fills).split())
            except (KeyError, ValueError, IndexError) as exc:
                raise MessagesError(
                    f"{path}: {name} ({language}) has a placeholder the region lacks: {exc}"
                ) from exc
            try:  # what is left must be exactly the text's runtime placeholders
                filled[name].format(**dict.fromkeys(RUNTIME.get(name, ()), ""))
            except (KeyError, ValueError, IndexError) as exc:
                raise MessagesError(
                    f"{path}: {name} ({language}) has an unknown placeholder: {exc}"
                ) from exc
        catalog[language] = Messages(**filled, language=language)
    return Catalog(catalog, next(iter(by_language)))


def region_values(region: object) -> dict[str, dict[str, str]]:
    """The region's placeholder values in each of its languages."""
    languages = getattr(region, "languages", (DEFAULT_LANGUAGE,))
    return {lang: region.template_values(lang) for lang in languages}  # type: ignore[attr-defined]
