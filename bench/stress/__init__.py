"""Bounded stress and load scripts (`python -m bench.stress.load`)."""
