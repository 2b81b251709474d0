"""Human handoff: a client reaches a person at any time, and staff answer through the bot.

A **case** opens when a client asks for a person (``/human``, "talk to a person", a button, or
Rasa's ``request_human`` intent), accepts the offer of one, or sends a message that signals risk
to life. The case pauses the client's Rasa conversation; while it is open the client's messages
go to staff, not to Rasa, and staff replies go back on the client's own channel. Closing it
resumes the conversation in Rasa.

The package is laid out by what staff do. At the top, the case itself and the wiring:

- :mod:`.model`, :mod:`.cases`: cases, their transcript, and the state machine
  (waiting → claimed → closed), in the gateway store.
- :mod:`.core`: opening, merging, closing a case with everything that goes with it, inside the
  caller's transaction; :mod:`.intake`: the client's side, the :class:`bot.hooks.Handoff` the
  inbox and the router are built with, inside their transactions.
- :mod:`.checkins`: check-ins staff schedule from a case (console and ``/followup``), proposed
  after a high-risk case closes; the follow-ups' worker sends them (:mod:`bot.followups`).
- :mod:`.texts`: what staff read (titles, summaries, notices); the client's texts are in
  ``bot/messages.yml``.
- :mod:`.settings`: the deployment's settings; :mod:`.service`: the parts built for the app;
  :mod:`.__main__`: ``python -m bot.handoff add-staff NAME`` makes a console account's entry.

Then one sub-package per task:

- :mod:`.desk`: answering a case, whatever the screen: claim, reply, note, close, the same for
  Telegram and the console (:mod:`bot.handoff.desk` itself); :mod:`.desk.console`, the staff
  web console; :mod:`.desk.staffchat`, reading staff in their Telegram group (replies, commands,
  buttons). Signing in to the console (and to ``/admin``) is :mod:`bot.web.session`, with
  :mod:`bot.web.auth` (hashes, sessions) and :mod:`bot.web.signin` (checking a password off the
  event loop, slowing down whoever guesses).
- :mod:`.oncall`: who is on call, who is paged, and what nobody claimed: :mod:`.oncall.roster`
  (office hours or after hours, which staff group, who is paged), :mod:`.oncall.paging` (SMS to
  the on-call worker and the backup), :mod:`.oncall.queue` (the order of open cases, and the
  watcher for cases nobody claims).
- :mod:`.group`: the staff Telegram group's posts (a forum topic per case, or replies in a group
  without topics): :mod:`.group.posts`, what is to be posted, and :mod:`.group.relay`, posting
  it.
"""
