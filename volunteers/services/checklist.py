"""The self-run checklist: the steps a new group reaches with its starters. A centre's list is
made from the defaults the first time it is needed (so the reads that show it call here)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import AuditLogEntry, Centre
from centres.services.audit import audit_record
from config.errors import DomainError
from volunteers.models import ChecklistItem

CONTACT_PERSON_STEP = gettext_lazy("A contact person chosen among the members")
DEFAULT_CHECKLIST = [
    gettext_lazy("Values and frame of self-help explained"),
    gettext_lazy("Group rules agreed"),
    CONTACT_PERSON_STEP,
    gettext_lazy("The group plans its own content"),
    gettext_lazy("Talk time shared fairly"),
]


def checklist_items(centre: Centre) -> list[ChecklistItem]:
    """The centre's self-run checklist, made from the defaults (in the centre's language) the
    first time it is needed."""
    items = list(ChecklistItem.objects.filter(centre=centre, is_active=True))
    if not items and not ChecklistItem.objects.filter(centre=centre).exists():
        with translation.override(centre.default_language):
            ChecklistItem.objects.bulk_create(
                [
                    ChecklistItem(
                        centre=centre,
                        text=str(text),
                        position=position,
                        records_contact_person=text is CONTACT_PERSON_STEP,
                    )
                    for position, text in enumerate(DEFAULT_CHECKLIST)
                ]
            )
        items = list(ChecklistItem.objects.filter(centre=centre, is_active=True))
    return items


@transaction.atomic
def checklist_set(*, actor: AbstractBaseUser | None, centre: Centre, texts: list[str]) -> list[ChecklistItem]:
    """Make the centre's self-run checklist these steps, in this order. A step that stays keeps
    its row (and the progress logged on it); a step taken out is retired, not deleted, so past
    session logs still read. Writes the items and an audit entry."""
    texts = [text.strip() for text in texts if text.strip()]
    if not texts:
        raise DomainError(_("Keep at least one step."), field="texts")
    if len(texts) > 30 or any(len(text) > 200 for text in texts):
        raise DomainError(_("At most 30 steps of at most 200 characters each."), field="texts")
    if len({text.casefold() for text in texts}) != len(texts):
        raise DomainError(_("Give each step once."), field="texts")
    checklist_items(centre)  # the defaults, if the centre never had a list
    existing = {item.text.casefold(): item for item in ChecklistItem.objects.select_for_update().filter(centre=centre)}
    kept = []
    for position, text in enumerate(texts):
        item = existing.pop(text.casefold(), None) or ChecklistItem(centre=centre, text=text)
        item.text, item.position, item.is_active = text, position, True
        item.save()
        kept.append(item)
    ChecklistItem.objects.filter(pk__in=[item.pk for item in existing.values()]).update(is_active=False)
    audit_record(
        actor=actor, centre=centre, action=AuditLogEntry.Action.UPDATE, obj=centre, changed_fields=["checklist"]
    )
    return kept
