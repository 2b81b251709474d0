"""The gateway: Telegram, SMS (Twilio) and web chat in one aiohttp app, in front of Rasa.

Every inbound message is stored before its webhook is acknowledged, screened for risk to life
before any NLU, answered through Rasa's REST channel in order per conversation, and delivered
through a durable outbox with pacing and retries. Run it with ``python -m bot``
(:mod:`.__main__`); build it in tests with :func:`bot.app.create_app`. The gateway never
imports ``rasa``.

A message's steps, each in its module: the channel adapters (:mod:`.channels`, which read what
arrives with :mod:`.inputs` and let only offered buttons send intents, :mod:`.payloads`) hand
it to the inbox (:mod:`.inbox`), which stores it in the store (:mod:`.db`), has the safety
screen (:mod:`.safety`) read it in every language of the region, decides the conversation's
language (:mod:`.language`) and has human handoff (:mod:`.handoff`, as :mod:`.hooks` describes
it) open or join a case; the router (:mod:`.pipeline`) asks Rasa (:mod:`.rasa`); replies are
rendered for the channel (:mod:`.render`, :mod:`.gsm`) and delivered by the outbox
(:mod:`.outbox`, paced by :mod:`.pacing`). Around them: the app factory (:mod:`.app`) and its
typed state (:mod:`.state`), settings (:mod:`.settings`), the gateway's own texts
(:mod:`.messages`), plain data (:mod:`.model`), errors (:mod:`.errors`), keyed worker tasks
(:mod:`.workers`), privacy (:mod:`.privacy`) and logging (:mod:`.logs`). After the answer,
follow-ups (:mod:`.followups`): the offer to check back the next morning, the durable schedule
that asks whether the bed was found, and STOP. Beside them, the
admins' loop (:mod:`.admin`: review, label, retrain, promote on every replica that
:mod:`.replicas` records), which reads what Rasa recorded through :mod:`.tracker_store`; and the report (:mod:`.report`, the page ``/admin/report``) of
what clients needed and what was not found, from counts kept without words. Every page (the
web chat, the console, the admin pages, the report) is a template of one Jinja environment
with one set of security headers (:mod:`.web`).
"""
