"""Layer 7: run analyses together and show them.

``registry`` knows the analyses ``analyze`` runs (built-in and yours),
``report`` holds ``Report`` and ``analyze``, ``page`` the one-page HTML
report with its plots, ``views`` the light Jupyter view of a report.
"""
