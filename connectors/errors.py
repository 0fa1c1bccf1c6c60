"""The connectors' exceptions: one root, split into fatal (stop the run) and retriable."""

from __future__ import annotations

__all__ = ["ConnectorError", "FatalConnectorError", "RetriableConnectorError", "SourceFormatError"]


class ConnectorError(Exception):
    """Root of every connector failure."""


class FatalConnectorError(ConnectorError):
    """Retrying cannot help (bad credentials, a file that is not what it claims to be)."""


class RetriableConnectorError(ConnectorError):
    """A passing fault (rate limit, server error, timeout); the run may try again."""


class SourceFormatError(FatalConnectorError):
    """A source file does not have the layout its format promises."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
