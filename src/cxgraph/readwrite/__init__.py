"""Layer 3: every byte in or out of a file.

``files`` reads and writes journey files (JSON and YAML, safely, atomically),
``converter`` turns the file's shape into the model and back (cattrs),
``schema`` builds and ships the JSON Schema, and ``eventlog`` (with
``columns`` and ``xes``) reads event logs from frames, CSV, Parquet and XES.
The public functions are re-exported at the top level (``cx.load``,
``cx.dump``, ...).
"""
