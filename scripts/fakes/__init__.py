"""Real protocol peers on loopback, and the gateway run against them: one home for the tests
(``tests/bot``, ``tests/handoff``) and the benchmarks (``bench/``), beside :mod:`scripts.stack`.

- :mod:`.base`: a small aiohttp server on 127.0.0.1 port 0 that its owner starts and stops.
- :mod:`.rasa`: Rasa's REST channel and tracker endpoint, able to go down, be slow, or misbehave.
- :mod:`.telegram`: the Telegram Bot API that python-telegram-bot reaches via TELEGRAM_API_URL,
  delivering updates by webhook (with the secret token) or by getUpdates.
- :mod:`.staff_telegram`: the same with staff groups: forum topics, edits, staff updates.
- :mod:`.twilio`: Twilio's Messages REST API, and signed inbound webhooks.
- :mod:`.postgres`: a real PostgreSQL server in a temporary folder.
- :mod:`.gateway`: runs the gateway app in this process, on a socket bound to port 0 (so
  PUBLIC_URL is known); :mod:`.process`: ``python -m bot`` as a child process.
- :mod:`.project`: a copy of the project that a real training may change (the admin loop).

Every server binds 127.0.0.1 port 0 and is stopped by its owner. Nothing here imports pytest.
"""
