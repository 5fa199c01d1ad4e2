"""What every kind's writer shares: the row's context, reading a cell (a bad value names its
column), finding a record the row names, and which fields a row would change."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from centres.models import Centre
from imports import values


class RowRefusedError(ValueError):
    """The row cannot be written as it is; the message says why."""


@dataclass
class Context:
    centre: Centre
    actor: AbstractBaseUser | None


def changed(obj: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if getattr(obj, name) != value}


def cell(row: dict[str, str], key: str, read: Callable[[str], Any], *, default: Any = None) -> Any:
    """A column's value read by `read`, or `default` when the cell is empty; a bad value names
    the column."""
    raw = row.get(key, "")
    if raw == "":
        return default
    try:
        return read(raw)
    except values.BadValueError as problem:
        raise RowRefusedError(f"{key}: {problem}") from problem


def one(queryset: Any, name: str, what: str) -> Any:
    """The record a row names, or None; names need not be unique in the workspace, and a row
    never picks one of two at random."""
    found = list(queryset[:2])
    if len(found) > 1:
        raise RowRefusedError(
            _("Two or more %(what)s are called “%(name)s”; rename one in the workspace first.")
            % {"what": what, "name": name}
        )
    return found[0] if found else None


def named(model: Any, centre: Centre, name: str, what: str, **more: Any) -> Any:
    found = one(model.objects.filter(centre=centre, name__iexact=name, **more), name, what)
    if found is None:
        raise RowRefusedError(
            _("%(what)s “%(name)s” is not known here; import it first.") % {"what": what, "name": name}
        )
    return found


def given(wanted: dict[str, Any]) -> dict[str, Any]:
    """The fields a row gives a value for: an empty cell or a column left out changes nothing
    of a record the workspace may have changed since."""
    return {name: value for name, value in wanted.items() if value is not None}
