"""The report: what clients needed, where, what was not found, and how long a person took.

Read from the counts the gateway keeps as things happen (:mod:`bot.db.report`: no words, no
client ids, times to the hour), so it survives the retention purge of message text.

- :mod:`bot.report.period`: the range a report covers (``--since 30d``, a date, ``until``).
- :mod:`bot.report.figures`: the events of a period made into headline figures and charts
  (:mod:`bot.admin.charts`), with small counts shown as "<5".
- ``python -m bot.report --since 30d FOLDER`` (:mod:`bot.report.__main__`): the headline in
  the terminal and every chart's CSV in FOLDER. The page is :mod:`bot.admin.report`.
"""
