"""The volunteer pipeline: the states in order, with the conditions of each step."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from centres.models import AuditLogEntry
from config.errors import ConflictError, DomainError
from tests.factories import every
from tests.volunteers.conftest import make_volunteer
from volunteers.models import Volunteer
from volunteers.services.pipeline import training_record_add, volunteer_transition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


def test_the_pipeline_runs_in_order_with_its_conditions(centre_a, coordinator_a):
    volunteer = make_volunteer(centre_a, status="applicant")
    with pytest.raises(ConflictError, match="cannot become active"):
        volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    with pytest.raises(DomainError, match="date of the screening"):
        volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="screened")
    volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="screened", screened_on=date(2026, 2, 1))
    with pytest.raises(ConflictError, match="Record the training"):
        volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="trained")
    training_record_add(
        actor=coordinator_a, volunteer=volunteer, course="Starter course", completed_on=date(2026, 3, 1)
    )
    volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="trained")
    with pytest.raises(DomainError, match="confidentiality agreement"):
        volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    volunteer_transition(
        actor=coordinator_a, volunteer=volunteer, to="active", confidentiality_signed_on=date(2026, 3, 2)
    )
    volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="paused")
    volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="retired")
    with pytest.raises(ConflictError):
        volunteer_transition(actor=coordinator_a, volunteer=volunteer, to="active")
    volunteer.refresh_from_db()
    assert volunteer.status == "retired"
    changes = (
        every(AuditLogEntry)
        .filter(action="update", object_type="volunteers.volunteer", object_id=str(volunteer.pk))
        .values_list("changed_fields", flat=True)
    )
    assert sum("status" in fields for fields in changes) == 6


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("applicant", {"screened", "retired"}),
        ("screened", {"trained", "retired"}),
        ("trained", {"active", "retired"}),
        ("active", {"paused", "retired"}),
        ("paused", {"active", "retired"}),
        ("retired", set()),
    ],
)
def test_every_transition_is_allowed_or_refused(centre_a, status, allowed):
    for target in Volunteer.Status.values:
        volunteer = make_volunteer(centre_a, status=status)
        volunteer.confidentiality_signed_on = date(2026, 1, 1)
        volunteer.save()
        training_record_add(actor=None, volunteer=volunteer, course="Kurs", completed_on=date(2026, 1, 2))
        try:
            volunteer_transition(actor=None, volunteer=volunteer, to=target, screened_on=date(2026, 1, 3))
        except ConflictError:
            assert target not in allowed
        else:
            assert target in allowed


def test_a_future_screening_date_is_refused(centre_a):
    volunteer = make_volunteer(centre_a, status="applicant")
    with pytest.raises(DomainError, match="future"):
        volunteer_transition(
            actor=None, volunteer=volunteer, to="screened", screened_on=timezone.localdate() + timedelta(days=2)
        )
