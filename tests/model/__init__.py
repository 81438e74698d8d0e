"""Tests for cxgraph.model."""
