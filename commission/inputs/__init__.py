"""Checked records from untrusted files: JSON, schemas, criteria, exercises, tenders, sheets."""
