"""The service directory: Open Referral HSDS 3.0 in SQLite, and finding services in it.

Modules, each small and knowing nothing of Rasa: ``db`` (file, migrations), ``hsds`` (the
standard's schemas), ``sources`` and ``importer`` (reading and loading HSDS data), ``convert_*``
(other formats to HSDS), ``lines`` (the region's 24/7 lines as HSDS services), ``needs`` (which
services answer which need), ``index`` (what search reads), ``hours`` (open now),
``eligibility``, ``search`` and ``render``. ``python -m actions.directory`` is the admin's CLI.

Importing this package does nothing but define names: rasa_sdk imports every module under
``actions/`` when the action server starts.
"""
