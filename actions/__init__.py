"""The action server's code: what the assistant does, beyond saying a response.

One module per concern: ``safety`` (crisis response), ``handoff`` (a person), ``location``
(asking and resolving where the client is), ``services`` (the directory look-up). Each action
reads slots, calls a plain function that knows nothing of Rasa, and returns events. Imports
only ``rasa_sdk`` of Rasa's packages, so the action server deploys alone.
"""
