"""Relative-date precision on hand-labelled Wikinews phrases (see README.md)."""
