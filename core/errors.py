"""The one exception type that services raise for broken domain rules.

It lives in the lowest layer so that every app can raise it and every view can turn it
into messages without knowing which rule broke.
"""

from collections.abc import Iterable

from django.utils.functional import Promise


class DomainError(Exception):
    """A use case was refused; ``messages`` are user-facing (translated) sentences."""

    def __init__(self, messages: str | Promise | Iterable[str | Promise]):
        single = isinstance(messages, str | Promise)
        self.messages = [str(messages)] if single else [str(m) for m in messages]  # type: ignore[union-attr]
        super().__init__("; ".join(self.messages))


class AccessDenied(DomainError):
    """The acting user may not perform this use case on this object.

    ``rule`` names the permission that refused (``budgets.rules.require`` sets it), so that an
    API can tell a client which rule was broken.
    """

    rule: str = ""
