"""Errors of the dialogue package.

DialogueError   a flow reached a state the loader should have refused (a bug, not bad input)
"""


class DialogueError(Exception):
    """Root of the dialogue package's errors."""
