"""Admins teach the assistant: review what it misread, label it, retrain, gate, promote.

- :mod:`bot.admin.masking`: what an admin may see of a client's message (numbers, e-mail and
  street addresses masked): the only form of the words that can enter the training data.
- :mod:`bot.admin.labels`: a label into data/nlu/reviewed.yml, or every fifth into the
  held-out set tests/nlu/heldout_reviewed.yml.
- :mod:`bot.admin.training`: a candidate trained in the background, then gated
  (scripts/gate.py), with its progress; cancellable.
- :mod:`bot.admin.models`: which model is live (models/live.json), promotion and rollback on
  every Rasa replica through ``PUT /model``.
- :mod:`bot.admin.review`: why a message goes to the review inbox, and in which order.
- :mod:`bot.admin.ingest`: the inbox filled from Rasa's tracker store in the background
  (kept in :mod:`bot.db.review`).
- :mod:`bot.admin.service`: every verb an admin has, with the audit log (:mod:`bot.db.audit`);
  :mod:`bot.admin.pages` (the /admin pages of the loop) and ``python -m bot.admin`` call it.

Leads and admins see what clients needed:

- :mod:`bot.admin.report`: the page ``/admin/report`` and its CSVs (figures: :mod:`bot.report`).
- :mod:`bot.admin.charts`: charts drawn on the server as SVG, small counts as "<5".
- the pages are templates of the gateway's one Jinja environment (:mod:`bot.web`).
"""
