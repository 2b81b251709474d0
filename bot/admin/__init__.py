"""Admins teach the assistant: review what it misread, label it, retrain, gate, promote.

- :mod:`bot.admin.masking`: what an admin may see of a client's message (numbers, e-mail and
  street addresses masked): the only form of the words that can enter the training data.
"""
