"""Conversation stories: whole exchanges as YAML, run against the dialogue alone (README.md)."""
