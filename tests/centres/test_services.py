import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from centres.models import AuditLogEntry, ConsentRecord, Person, StaffRole
from centres.scoping import centre_scope
from centres.services.consents import consent_record, consent_withdraw
from centres.services.people import person_create, person_delete, person_update
from centres.services.staff import _sync_is_staff, staff_role_change, staff_role_grant, staff_role_revoke
from config.errors import ConflictError
from tests.factories import ConsentFactory, StaffRoleFactory, UserFactory, every

pytestmark = pytest.mark.usefixtures("unscoped")


def test_person_create_normalises_and_defaults_language_to_the_centres(centre_a, coordinator_a):
    person = person_create(actor=coordinator_a, centre=centre_a, display_name="  Greta ", email=" Greta@Example.NET ")
    assert (person.display_name, person.email, person.language) == ("Greta", "greta@example.net", "de")


def test_person_create_refuses_a_known_email_in_the_same_centre_whatever_its_case(person_a, coordinator_a):
    with pytest.raises(ValidationError) as error:
        person_create(actor=coordinator_a, centre=person_a.centre, display_name="Other", email="ALMA@example.net")
    assert error.value.message_dict == {"email": ["A person with this e-mail address is already known to this centre."]}
    assert every(Person).filter(centre=person_a.centre).count() == 1


def test_the_same_email_may_be_known_to_two_centres(person_a, centre_b):
    person = person_create(actor=None, centre=centre_b, display_name="Alma", email="alma@example.net")
    assert person.centre == centre_b


def test_people_without_email_do_not_clash(centre_a):
    person_create(actor=None, centre=centre_a, display_name="Phone only 1", phone="1")
    person_create(actor=None, centre=centre_a, display_name="Phone only 2", phone="2")
    assert every(Person).filter(centre=centre_a, email="").count() == 2


def test_person_create_refuses_an_empty_display_name(centre_a):
    with pytest.raises(ValidationError) as error:
        person_create(actor=None, centre=centre_a, display_name="   ")
    assert "display_name" in error.value.message_dict


def test_person_update_audits_field_names_but_not_values(person_a, coordinator_a):
    person_update(actor=coordinator_a, person=person_a, phone="+49 30 1234", display_name="Alma")
    entry = every(AuditLogEntry).get(action=AuditLogEntry.Action.UPDATE)
    assert (entry.actor, entry.object_type, entry.object_id, entry.changed_fields) == (
        coordinator_a,
        "centres.person",
        str(person_a.pk),
        ["display_name", "phone"],
    )
    row = " ".join(str(value) for value in every(AuditLogEntry).values().get(pk=entry.pk).values())
    assert "Alma" not in row
    assert "1234" not in row


def test_person_update_without_changes_writes_nothing(person_a):
    person_update(actor=None, person=person_a, display_name=person_a.display_name)
    assert not every(AuditLogEntry).filter(action=AuditLogEntry.Action.UPDATE).exists()


def test_person_update_refuses_an_email_taken_by_someone_else(person_a):
    other = person_create(actor=None, centre=person_a.centre, display_name="Other", email="o@example.net")
    with pytest.raises(ValidationError):
        person_update(actor=None, person=other, email="Alma@example.net")
    other.refresh_from_db()
    assert other.email == "o@example.net"


def test_person_delete_removes_consents_and_audits_the_id(person_a, coordinator_a):
    ConsentFactory(person=person_a)
    pk = person_a.pk
    person_delete(actor=coordinator_a, person=person_a)
    assert not every(Person).filter(pk=pk).exists()
    assert not every(ConsentRecord).filter(person_id=pk).exists()
    assert every(AuditLogEntry).filter(action="delete", object_type="centres.person", object_id=str(pk)).exists()


def test_consent_belongs_to_the_persons_centre(person_b):
    consent = consent_record(actor=None, person=person_b, purpose="newsletter", text_version="v3", source="web_form")
    assert consent.centre == person_b.centre
    assert consent.is_active


def test_consent_given_in_the_future_is_refused(person_a):
    with pytest.raises(ValidationError) as error:
        consent_record(
            actor=None,
            person=person_a,
            purpose="newsletter",
            text_version="v3",
            source="web_form",
            given_at=timezone.now() + timedelta(days=1),
        )
    assert "given_at" in error.value.message_dict


def test_consent_with_an_unknown_purpose_is_refused(person_a):
    with pytest.raises(ValidationError) as error:
        consent_record(actor=None, person=person_a, purpose="marketing", text_version="v3", source="web_form")
    assert "purpose" in error.value.message_dict


def test_consent_withdrawal_takes_effect_once(person_a):
    consent = ConsentFactory(person=person_a)
    withdrawn = consent_withdraw(actor=None, consent=consent)
    assert withdrawn.withdrawn_at is not None
    assert not withdrawn.is_active
    with pytest.raises(ConflictError, match="already withdrawn"):
        consent_withdraw(actor=None, consent=consent)


def test_staff_role_grant_gives_the_account_the_role_and_opens_the_admin(centre_a, centre_admin_a):
    user = UserFactory(is_staff=False)
    role = staff_role_grant(actor=centre_admin_a, centre=centre_a, user=user, role="coordinator")
    user.refresh_from_db()
    assert (role.centre, role.role, user.is_staff) == (centre_a, "coordinator", True)


def test_inviting_an_address_looks_at_no_account(centre_b, coordinator_a):
    from centres.services.accounts import staff_invite

    invitation = staff_invite(actor=None, centre=centre_b, email=coordinator_a.email, role="coordinator")
    assert (invitation.email, invitation.name) == (coordinator_a.email, "")
    assert not every(StaffRole).filter(centre=centre_b, user=coordinator_a).exists()


def test_a_user_has_one_role_per_centre(centre_a, coordinator_a):
    from centres.services.accounts import staff_invite

    with pytest.raises(ConflictError):
        staff_role_grant(actor=None, centre=centre_a, user=coordinator_a, role="centre_admin")
    with pytest.raises(ConflictError, match="already has a role"):
        staff_invite(actor=None, centre=centre_a, email=coordinator_a.email.upper(), role="centre_admin")


def test_the_last_centre_admin_cannot_be_removed_or_demoted(centre_a, centre_admin_a):
    role = every(StaffRole).get(user=centre_admin_a)
    with pytest.raises(ConflictError, match="at least one centre admin"):
        staff_role_revoke(actor=None, staff_role=role)
    with pytest.raises(ConflictError, match="at least one centre admin"):
        staff_role_change(actor=None, staff_role=role, role="coordinator")
    assert every(StaffRole).get(user=centre_admin_a).role == "centre_admin"


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(requires_postgres, centre_a):
    first = StaffRoleFactory(centre=centre_a, role="centre_admin")
    second = StaffRoleFactory(centre=centre_a, role="centre_admin")
    barrier, errors = threading.Barrier(2), []

    def demote(role):
        barrier.wait()
        try:
            # Each admin's request runs in their centre's scope; a new thread starts with none.
            with centre_scope(role.centre_id):
                staff_role_change(actor=None, staff_role=role, role="coordinator")
        except ConflictError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(role,)) for role in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1
    assert every(StaffRole).filter(centre=centre_a, role="centre_admin").count() == 1


def test_revoking_the_last_role_closes_the_admin_to_that_user(centre_a, centre_admin_a):
    user = UserFactory(last_login=timezone.now())
    role = StaffRoleFactory(centre=centre_a, user=user)
    _sync_is_staff(user)
    staff_role_revoke(actor=centre_admin_a, staff_role=role)
    user.refresh_from_db()
    assert (user.is_staff, user.is_active) == (False, False)
