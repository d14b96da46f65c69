"""Revisions of the exercise store schema."""
