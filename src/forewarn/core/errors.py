"""Domain errors whose messages are sentences a user can act on."""


class ForewarnError(Exception):
    """Base of every error that is meant to reach a user as a sentence."""


class ValidationFailed(ForewarnError):
    """Input was rejected; `where` names the file:line or field."""

    def __init__(self, message: str, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message


class NotFoundError(ForewarnError):
    pass


class ConflictError(ForewarnError):
    pass


class PermissionDenied(ForewarnError):
    pass
