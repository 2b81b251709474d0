"""The staff Telegram group's posts: a forum topic per case, or replies in a plain group.

:mod:`.posts`: what is to be posted for a case, queued in the case's own transaction;
:mod:`.relay`: the workers that post it. Reading what staff write there is
:mod:`bot.handoff.desk.staffchat`.
"""
