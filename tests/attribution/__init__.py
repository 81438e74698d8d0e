"""Tests for cxgraph.attribution."""
