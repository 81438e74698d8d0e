"""Layer 5: observed journeys from event logs.

``discovery`` (``cx.discover``) counts directly-follows pairs on one of three
engines, ``counts`` (numpy, and the SQL shared by) ``duckdb_engine`` and
``spark_engine``, which give identical journeys; ``conformance``
(``cx.conformance``) compares the cases of a log with a designed journey.
"""
