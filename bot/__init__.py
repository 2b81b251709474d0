"""The gateway: Telegram, SMS (Twilio) and web chat in one aiohttp app, in front of Rasa.

Every inbound message is stored before its webhook is acknowledged, screened for risk to life
before any NLU, answered through Rasa's REST channel in order per conversation, and delivered
through a durable outbox with pacing and retries. Run it with ``python -m bot``; build it in
tests with :func:`bot.app.create_app`. The gateway never imports ``rasa``.
"""
