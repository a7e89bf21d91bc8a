"""Errors a reviewer can act on: each message says what is wrong with the file."""


class IngestError(Exception):
    """The file cannot be read at all; the message is shown to the reviewer as is."""


class LimitExceeded(IngestError):
    """The file is larger or more complex than the configured limits allow."""


class MissingTool(IngestError):
    """A system program (LibreOffice, Tesseract) needed for this file is not installed."""
