"""The bundled *sample* catalog (catalog/data/*.csv): generated, checked, documented.

    python -m catalog.sample            # rewrite catalog/data/*.csv (and its README.md)
    python -m catalog.sample --check    # only validate the CSVs already there

Deterministic: every random choice comes from ``random.Random`` seeded with ``basis.SEED`` (or a
string derived from it) and nothing iterates over a set, so two runs give byte-identical files.
Occupation codes and Chinese names are checked against the 2022 national classification and the
special-operations catalogue in ``catalog/reference``. Every course is checked against the rules
(``policy.catalog_check``), the same check the catalog import applies.

This is SAMPLE DATA for development and tests: institution names, addresses, phones, ratings,
courses and subsidy amounts are invented (some names imitate real local schools), not official.

One module per job: ``basis`` (seed, dates, formatting), ``places`` (counties, coordinates,
addresses), ``occupations``, ``institutions``, ``lists`` (shortage and subsidized lists),
``courses``, ``files`` (CSV columns, reading, writing), ``check`` (self-check), ``readme``.
"""
