"""Tests for cxgraph.plot."""
