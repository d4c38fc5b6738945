"""Scan orchestration: identity → regions → inventory → checks → stored results."""
