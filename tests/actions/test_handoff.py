"""What staff learn when a client is handed to them (action_handoff)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from tests.actions.helpers import tracker


def user_event(text: str, intent: str, confidence: float) -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}},
    }


async def run(**kwargs: object) -> dict:
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, tracker(**kwargs), {})  # type: ignore[arg-type]
    (message,) = dispatcher.messages
    assert "text" not in message or not message["text"]  # the rule already told the client
    return message["custom"]["handoff"]


async def test_a_risk_message_is_handed_off_as_high_risk_with_what_the_bot_understood() -> None:
    events = [
        user_event("bed tonight in rwc", "find_shelter", 0.97),
        user_event("i cant do this anymore", "risk_self_harm", 0.88),
    ]
    handoff = await run(
        intent="risk_self_harm",
        events=events,
        slots={"need": "shelter", "location": "Redwood City, CA", "population": ["17"]},
    )
    assert handoff["risk"] == "high"
    assert handoff["reason"] == "risk_self_harm"
    assert (handoff["need"], handoff["location"], handoff["population"]) == (
        "shelter",
        "Redwood City, CA",
        ["17"],
    )
    assert [t["intent"] for t in handoff["recent"]] == ["find_shelter", "risk_self_harm"]


async def test_a_request_for_a_person_is_normal_risk() -> None:
    handoff = await run(intent="request_human")
    assert (handoff["reason"], handoff["risk"]) == ("request_human", "normal")


async def test_yes_to_the_offer_of_a_person_counts_as_asking_for_one() -> None:
    handoff = await run(intent="affirm")
    assert handoff["reason"] == "request_human"


async def test_only_the_last_five_messages_are_summarised() -> None:
    events = [user_event(f"message {i}", "out_of_scope", 0.5) for i in range(12)]
    handoff = await run(intent="request_human", events=events)
    assert [t["text"] for t in handoff["recent"]] == [f"message {i}" for i in range(7, 12)]
