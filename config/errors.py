"""Domain errors raised by services, each mapped once to an HTTP status in `config.api`."""


class DomainError(Exception):
    """A rule of the domain refused the request. Subclasses set the HTTP status they map to."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """The request clashes with the current state (a booking, a transition already made)."""

    status_code = 409
    code = "conflict"


class PermissionDeniedError(DomainError):
    """The user may see the object but not do this to it."""

    status_code = 403
    code = "permission_denied"
