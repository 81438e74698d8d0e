"""Tests for cxgraph.report."""
