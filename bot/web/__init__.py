"""What every page of the gateway shares: one Jinja environment, one set of security headers,
one folder of static files (``bot/static``, at ``/static/``).

The staff console (``/staff``), the admin pages and the report (``/admin``) and the web chat
page (``/``) are all Jinja templates in ``bot/templates`` (autoescape on, undefined names an
error), rendered by :func:`render` with :data:`HEADERS`. Nothing a client, a member of staff or
a service listing wrote can become markup on any of them.

Signing in, for the console and the admin pages alike: :mod:`bot.web.session` (the routes and
the guard every staff page is wrapped in), :mod:`bot.web.auth` (password hashes, sessions in the
store), :mod:`bot.web.signin` and :mod:`bot.web.throttle` (checking off the event loop, slowing
down whoever guesses).
"""

from bot.web.pages import HEADERS, TEMPLATES, render, setup

__all__ = ["HEADERS", "TEMPLATES", "render", "setup"]
