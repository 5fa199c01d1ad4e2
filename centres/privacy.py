"""A person's data, for their right of access and to portability (GDPR Art. 15 and 20)."""

from typing import Any

from django.db import models

from centres.models import Person

# Values that open something (links, feeds, sessions) are the centre's secrets, not the
# person's data: their presence is exported, not their value.
SECRET_FIELDS = {"token", "merge_data", "password", "key"}
DEPTH = 2  # the person's rows, and the rows that hang from those (a volunteer's session logs)


def _rows(model: type[models.Model], filters: dict) -> list[dict[str, Any]]:
    manager = getattr(model, "all_centres", model._default_manager)
    rows = []
    for row in manager.filter(**filters).order_by("pk").values():
        rows.append({name: ("(hidden)" if name in SECRET_FIELDS and value else value) for name, value in row.items()})
    return rows


def _related(model: type[models.Model], pks: list[int], depth: int) -> dict[str, list[dict]]:
    """Every row that points at these rows of `model`, by model label, and their own rows below."""
    found: dict[str, list[dict]] = {}
    if depth == 0 or not pks:
        return found
    # Hidden relations too (related_name="+"): the outbox and most tenant rows are declared so.
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]
    for relation in relations:
        if not relation.related_model._meta.managed:
            continue
        related = relation.related_model
        rows = _rows(related, {f"{relation.field.name}__in": pks})
        if not rows:
            continue
        found.setdefault(related._meta.label, []).extend(rows)
        for label, below in _related(related, [row["id"] for row in rows], depth - 1).items():
            found.setdefault(label, []).extend(below)
    return found


def person_export(person: Person) -> dict[str, Any]:
    """Everything the centre holds that points at this person, as plain JSON-ready data: the
    person, then every row that refers to them (memberships, consents, enquiries, subscriptions,
    the volunteer record, mails) and the rows that hang from those, by kind."""
    return {
        "format": "kontakt-person-export/1",
        "centre": person.centre.slug,
        "person": _rows(Person, {"pk": person.pk})[0],
        "records": dict(sorted(_related(Person, [person.pk], DEPTH).items())),
    }
