"""The action server's code: what the assistant does, beyond saying a response.

One module per concern: :mod:`.handoff` (what staff need to know of a person's case),
:mod:`.location` (asking and resolving where the client is), :mod:`.services` (the directory
look-up), :mod:`.gazetteer` (place names and ZIP codes, offline), :mod:`.texts` (the words
custom actions say, from ``texts.yml``), :mod:`.context` (the region and the client's channel),
and :mod:`.directory` (the service directory itself, which knows nothing of Rasa). The crisis
responses are the domain's own, so that they need no action server. Each action reads slots,
calls a plain function that knows nothing of Rasa, and returns events. Imports only
``rasa_sdk`` of Rasa's packages, so the action server deploys alone.
"""
