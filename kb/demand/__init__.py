"""Search demand: what readers search for, logged without identifying them, and the reports on it.

`log` is the store (an SQLite file in the server's state folder, written in batches off the
request path); `report` reads it: top queries, queries that found nothing, likely missing
glossary terms, and how often each page was a top-5 result.
"""
