"""The service directory: Open Referral HSDS 3.0 in SQLite, and finding services in it.

One small module per concern, none importing anything of Rasa (a test imports them all with
``rasa_sdk`` unavailable):

- :mod:`.db` (the file, its migrations), :mod:`.hsds` (the standard's schemas),
  :mod:`.errors` (what can go wrong);
- reading and loading HSDS data: :mod:`.csvsource`, :mod:`.jsonsource`, :mod:`.records`,
  :mod:`.importer`, and the admin's operations :mod:`.build`;
- other formats to HSDS: :mod:`.convert`, :mod:`.convert_ohana`, :mod:`.convert_linksf`,
  :mod:`.hours_text`, :mod:`.flags` (the project's own taxonomy);
- :mod:`.lines` (the region's 24/7 lines as services), :mod:`.needs` (which services answer
  which need), :mod:`.index` (what search reads);
- a search: :mod:`.search`, :mod:`.eligibility`, :mod:`.hours` (open now), :mod:`.details`,
  :mod:`.render`, and :mod:`.service` (one search as the client reads it).

``python -m actions.directory`` (:mod:`.__main__`) is the admin's CLI.

Importing this package does nothing but define names: rasa_sdk imports every module under
``actions/`` when the action server starts.
"""
