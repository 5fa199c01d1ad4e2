"""The self-run checklist: the steps a new group reaches with its starters. A centre's list is
made from the defaults the first time it is needed (so the reads that show it call here)."""

from django.utils import translation
from django.utils.translation import gettext_lazy

from centres.models import Centre
from volunteers.models import ChecklistItem

DEFAULT_CHECKLIST = [
    gettext_lazy("Values and frame of self-help explained"),
    gettext_lazy("Group rules agreed"),
    gettext_lazy("A contact person chosen among the members"),
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
                    ChecklistItem(centre=centre, text=str(text), position=position)
                    for position, text in enumerate(DEFAULT_CHECKLIST)
                ]
            )
        items = list(ChecklistItem.objects.filter(centre=centre, is_active=True))
    return items
