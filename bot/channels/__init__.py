"""Channel adapters: each turns its provider's webhook into an ``Incoming`` and sends units.

- :mod:`bot.channels.telegram`: python-telegram-bot inside aiohttp (webhook or polling);
  :mod:`bot.channels.telegram_handlers`: its handlers, each turning one kind of update into an
  ``Incoming``.
- :mod:`bot.channels.sms`: Twilio webhooks in, Twilio's REST API out.
- :mod:`bot.channels.webchat`: the local web page and its JSON API.
- :mod:`bot.channels.traits`: what the core needs to know of each (its label, its addresses,
  numbered answers, carrier opt-out, whether the client fetches replies), declared once.
"""
