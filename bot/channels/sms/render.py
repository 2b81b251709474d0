"""SMS units: a turn's texts joined, buttons as a numbered list, folded to GSM-7, cut into parts
of at most two segments; the numbered buttons are remembered so that a reply "2" means the
second (the router reads it back: :func:`bot.pipeline.numbered_choice`)."""

from __future__ import annotations

from bot import gsm
from bot.messages import Messages
from bot.model import BotMessage, Button, OutboxItem
from bot.render import Rendered


def render(messages: list[BotMessage], kind: str, texts: Messages) -> Rendered:
    paragraphs: list[str] = []
    numbered: list[Button] = []
    for message in messages:
        if message.text:
            paragraphs.append(message.text.strip())
        if message.image:
            paragraphs.append(message.image)
        if message.buttons:
            start = len(numbered)
            numbered.extend(message.buttons)
            options = [f"{start + i + 1} {b.title}" for i, b in enumerate(message.buttons)]
            paragraphs.append("\n".join(options))
    if numbered:
        paragraphs.append(texts.sms_choose)
    body = gsm.to_gsm("\n\n".join(p for p in paragraphs if p))
    items = [OutboxItem(kind, {"text": part}) for part in gsm.split(body)] if body else []
    return Rendered(items=items, buttons=tuple(numbered))
