"""Layer 4: questions about a designed journey, one module per question.

Each analysis is a pure function ``name(journey, *, options) -> Result`` in
the module named for its topic (``handoffs``, ``silos``, ``branches``,
``dimensions``, ``moments``, ``weakest``, ``inventory``, ``coverage``,
``markov``, ``lint``). Results derive from ``results.AnalysisResult``: frozen,
iterable over sorted findings, with ``to_records()``, ``to_frame()``, a
readable ``repr`` and ``_repr_html_``. ``flow`` holds what several analyses
share. Call them as ``cx.<name>``: this package re-exports nothing, so
``cxgraph.analyses.markov`` is always the module.
"""
