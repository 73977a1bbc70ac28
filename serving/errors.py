"""What a use case refuses with; the HTTP layer turns each into a problem+json response."""

from __future__ import annotations


class NotFound(LookupError):
    """No such thing, or not one the caller may see (the two are never told apart)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def worker_not_found(worker_id: int) -> NotFound:
    return NotFound(f"No worker with id {worker_id}.")
