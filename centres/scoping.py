"""Tenant scoping: which centres the current request, command or task may see.

Built on django-scopes. A scoped model's default manager filters by the active scope and raises
`django_scopes.ScopeError` when no scope is active, so a forgotten scope fails loudly instead
of showing every centre's data.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django_scopes import scope, scopes_disabled

__all__ = ["all_centres_scope", "centre_scope"]


@contextmanager
def centre_scope(centres: Iterable[int] | int) -> Iterator[None]:
    """Limit every scoped query inside the block to the given centre id(s).

    An empty iterable is a valid scope that sees nothing. `None` is refused, because
    django-scopes would read it as "no filter".
    """
    if centres is None:
        raise ValueError("centre_scope needs centre ids, not None")
    ids = [centres] if isinstance(centres, int) else sorted({int(centre) for centre in centres})
    with scope(centre=ids):
        yield


@contextmanager
def all_centres_scope() -> Iterator[None]:
    """For platform operators, migrations and federation totals: see every centre. Use sparingly."""
    with scopes_disabled():
        yield
