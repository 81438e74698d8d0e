"""Tests for cxgraph.readwrite."""
