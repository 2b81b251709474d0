"""Who is on call, who is paged, and what nobody has claimed.

:mod:`.roster`: office hours or after hours, which staff group and which number; :mod:`.paging`:
SMS to the on-call worker and the backup; :mod:`.queue`: the order of open cases, and the watcher
that announces again, pages and gives up on the cases nobody claims.
"""
