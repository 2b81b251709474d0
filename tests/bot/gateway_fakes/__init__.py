"""Real protocol peers on loopback for the gateway's tests and benchmarks.

- :mod:`.rasa`: Rasa's REST channel and tracker endpoint, able to go down, be slow, or misbehave.
- :mod:`.telegram`: the Telegram Bot API that python-telegram-bot reaches via TELEGRAM_API_URL,
  delivering updates by webhook (with the secret token) or by getUpdates.
- :mod:`.twilio`: Twilio's Messages REST API, and signed inbound webhooks.
- :mod:`.gateway`: runs the gateway app on a socket bound to port 0 (so PUBLIC_URL is known).

Every server binds 127.0.0.1 port 0 and is stopped by its owner.
"""
