"""Layer 5: conversion paths and attribution models.

``paths`` (``cx.paths``) reads conversion paths into ``PathData`` (with the
table readers in ``path_tables``); ``models`` (``cx.attribution``) credits
channels with first-touch, last-touch, linear and exact Markov models.

The top-level ``cx.attribution`` is the function; this package is imported
by its modules' paths (``from cxgraph.attribution.models import ...``).
"""
