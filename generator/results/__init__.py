"""Benchmark results: the documents ``invoke bench`` writes and the site reads.

    schema.py  the result documents (pydantic), one model per kind, a discriminated union on ``kind``
    load.py    files → validated results with ``path:line:`` problems; the ResultSet the site reads
    rules.py   plausibility rules, one small function each yielding ``(field, message)``
    table.py   the pandas frame (and ``api/results.csv``) of the compared runs, with each column's meaning

Nothing here imports a deep-learning framework: the site and the validators use it.
"""
