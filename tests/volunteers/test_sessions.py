"""Session logs: the member-name warning, checklist steps and progress, and which meetings can be
logged."""

from decimal import Decimal

import pytest

from config.errors import ConflictError, DomainError
from meetings.models import Meeting
from tests.factories import every
from volunteers.selectors import checklist_progress
from volunteers.services.checklist import checklist_items
from volunteers.services.sessions import session_log_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_a_note_naming_a_member_is_refused_with_a_warning_until_confirmed(started):
    assignment, meeting = started
    with pytest.raises(DomainError, match="may name a member") as refused:
        session_log_create(
            actor=None, assignment=assignment, meeting=meeting, hours=Decimal("2"), notes="hannelore spoke a lot"
        )
    assert refused.value.field == "notes"
    log = session_log_create(
        actor=None,
        assignment=assignment,
        meeting=meeting,
        hours=Decimal("2"),
        notes="We read Schmidt's essay on grief",
        names_checked=True,
    )
    assert log.notes.startswith("We read")


def test_a_log_ticks_checklist_steps_and_progress_follows(started, centre_a):
    assignment, meeting = started
    items = checklist_items(centre_a)
    assert len(items) == 5
    session_log_create(
        actor=None,
        assignment=assignment,
        meeting=meeting,
        hours=Decimal("2.5"),
        checklist=items[:2],
        notes="Good start",
    )
    progress = checklist_progress(assignment.group)
    assert [progress[item.pk] for item in items] == [True, True, False, False, False]
    with pytest.raises(ConflictError, match="logged already"):
        session_log_create(actor=None, assignment=assignment, meeting=meeting, hours=Decimal("1"))


def test_a_future_or_foreign_meeting_cannot_be_logged(started, group_b):
    assignment, meeting = started
    later = every(Meeting).filter(group=assignment.group).order_by("-starts_at").first()
    with pytest.raises(DomainError, match="not taken place"):
        session_log_create(actor=None, assignment=assignment, meeting=later, hours=Decimal("2"))
    with pytest.raises(DomainError, match=r"between 0\.25 and 12"):
        session_log_create(actor=None, assignment=assignment, meeting=meeting, hours=Decimal("30"))
