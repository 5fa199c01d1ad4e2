"""A person's data, for their right of access and to portability (GDPR Art. 15 and 20)."""

from typing import Any

from django.db import models

import meetings.intake.models  # noqa: F401 (the enquiry models, wherever the export runs)
from centres.models import Person

# Values that open something (links, feeds, sessions) are the centre's secrets, not the
# person's data: their presence is exported, not their value.
SECRET_FIELDS = {"token", "merge_data", "password", "key"}
DEPTH = 2  # the person's rows, and the rows that hang from those (an enquiry's topics)
# Left out, for a coordinator to review before handing over: staff notes on an enquiry may name
# other people (GDPR Art. 15(4)).
REVIEWED_BY_HAND = {"meetings.EnquiryNote"}


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
        if not relation.related_model._meta.managed or relation.related_model._meta.label in REVIEWED_BY_HAND:
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
    records = {}
    for label, rows in sorted(_related(Person, [person.pk], DEPTH).items()):
        # A row reached twice (an enquiry through the person and through its consent) once.
        records[label] = list({row["id"]: row for row in rows}.values())
    return {
        "format": "kontakt-person-export/1",
        "centre": person.centre.slug,
        "person": _rows(Person, {"pk": person.pk})[0],
        "records": records,
        "left_out": sorted(REVIEWED_BY_HAND),
    }
