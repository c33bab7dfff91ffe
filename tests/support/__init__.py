"""Helpers shared by test suites (fakes of external services)."""
