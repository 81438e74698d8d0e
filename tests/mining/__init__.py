"""Tests for cxgraph.mining."""
