"""Errors of the flows package.

FlowError
 └── FlowDefinitionError   a flow file is malformed or refers to something that does not exist
"""


class FlowError(Exception):
    """Root of every error raised by the flows package."""


class FlowDefinitionError(FlowError):
    """A flow file cannot be used; the message names the file and the step."""
