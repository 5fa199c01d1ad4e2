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


# A crisis spell: starters back with a self-run group for a few meetings.
CRISIS_CONTACT_PERSON_STEP = gettext_lazy("The contact person confirmed or newly chosen")
DEFAULT_CRISIS_CHECKLIST = [
    gettext_lazy("What troubles the group is named"),
    gettext_lazy("The group agreed how to go on"),
    CRISIS_CONTACT_PERSON_STEP,
    gettext_lazy("The group meets on its own again"),
]


def checklist_items(centre: Centre, *, crisis: bool = False) -> list[ChecklistItem]:
    """The centre's self-run checklist (or with `crisis`, the checklist of a crisis spell), made
    from the defaults (in the centre's language) the first time it is needed."""
    mine = ChecklistItem.objects.filter(centre=centre, for_crisis=crisis)
    items = list(mine.filter(is_active=True))
    if not items and not mine.exists():
        defaults = DEFAULT_CRISIS_CHECKLIST if crisis else DEFAULT_CHECKLIST
        with translation.override(centre.default_language):
            ChecklistItem.objects.bulk_create(
                [
                    ChecklistItem(
                        centre=centre,
                        text=str(text),
                        position=position,
                        records_contact_person=text in (CONTACT_PERSON_STEP, CRISIS_CONTACT_PERSON_STEP),
                        for_crisis=crisis,
                    )
                    for position, text in enumerate(defaults)
                ]
            )
        items = list(mine.filter(is_active=True))
    return items


@transaction.atomic
def checklist_set(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    texts: list[str],
    crisis: bool = False,
    translations: dict[str, list[str]] | None = None,
) -> list[ChecklistItem]:
    """Make the centre's self-run checklist these steps, in this order. A step that stays keeps
    its row (and the progress logged on it); a step taken out is retired, not deleted, so past
    session logs still read. `translations` gives the steps in other languages, line by line in
    the same order (an empty line: the step as written). Writes the items and an audit entry."""
    # Each step's line number, so that the translations' lines match even around blank lines.
    lines = [(number, text.strip()) for number, text in enumerate(texts) if text.strip()]
    texts = [text for _number, text in lines]
    if not texts:
        raise DomainError(_("Keep at least one step."), field="texts")
    if len(texts) > 30 or any(len(text) > 200 for text in texts):
        raise DomainError(_("At most 30 steps of at most 200 characters each."), field="texts")
    if len({text.casefold() for text in texts}) != len(texts):
        raise DomainError(_("Give each step once."), field="texts")
    checklist_items(centre, crisis=crisis)  # the defaults, if the centre never had a list
    existing = {
        item.text.casefold(): item
        for item in ChecklistItem.objects.select_for_update().filter(centre=centre, for_crisis=crisis)
    }
    kept = []
    for position, text in enumerate(texts):
        item = existing.pop(text.casefold(), None) or ChecklistItem(centre=centre, text=text, for_crisis=crisis)
        item.text, item.position, item.is_active = text, position, True
        number = lines[position][0]
        item.text_translations = {
            code: translated[number].strip()[:200]
            for code, translated in (translations or {}).items()
            if number < len(translated) and translated[number].strip()
        }
        item.save()
        kept.append(item)
    ChecklistItem.objects.filter(pk__in=[item.pk for item in existing.values()]).update(is_active=False)
    audit_record(
        actor=actor,
        centre=centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=centre,
        changed_fields=["crisis_checklist" if crisis else "checklist"],
    )
    return kept
