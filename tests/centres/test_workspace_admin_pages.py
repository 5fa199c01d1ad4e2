"""A centre admin's settings and staff pages in the workspace: changes go through the services,
the answers say what happened, the last admin stays, and coordinators may not use them."""

import pytest

from centres.models import Centre, StaffInvitation, StaffRole
from notifications.models import OutgoingMail
from tests.factories import StaffRoleFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def admin(client, centre_admin_a):
    client.force_login(centre_admin_a)
    return client


def settings_form(centre, **changes) -> dict:
    from centres.services.centre import CENTRE_EDITABLE_FIELDS

    values = {name: getattr(centre, name) for name in CENTRE_EDITABLE_FIELDS}
    return {name: "" if value is None else value for name, value in {**values, **changes}.items()}


def test_an_admin_changes_the_centres_settings_and_is_told_what_changed(admin, centre_a):
    url = f"/centres/{centre_a.slug}/workspace/settings/"
    unchanged = admin.post(url, settings_form(centre_a))
    assert "Nothing changed." in admin.get(unchanged.url).content.decode()
    saved = admin.post(url, settings_form(centre_a, sender_name="Kontaktstelle A", enquiry_retention_months=12))
    shown = admin.get(saved.url).content.decode()
    assert "Saved: " in shown
    centre = every(Centre).get(pk=centre_a.pk)
    assert (centre.sender_name, centre.enquiry_retention_months) == ("Kontaktstelle A", 12)
    bad = admin.post(url, settings_form(centre_a, time_zone="Mars/Olympus"))
    assert bad.status_code == 400
    assert every(Centre).get(pk=centre_a.pk).time_zone == centre_a.time_zone


def test_a_coordinator_may_not_open_the_admin_pages(client, coordinator_a, centre_a):
    client.force_login(coordinator_a)
    assert client.get(f"/centres/{centre_a.slug}/workspace/settings/").status_code == 403
    assert client.get(f"/centres/{centre_a.slug}/workspace/staff/").status_code == 403
    assert "Settings and staff" not in client.get(f"/centres/{centre_a.slug}/workspace/").content.decode()


def test_an_admin_invites_changes_a_role_and_removes_it(admin, centre_a, centre_admin_a):
    url = f"/centres/{centre_a.slug}/workspace/staff/"
    invited = admin.post(url, {"email": "Neu@Example.net", "name": "Nele", "role": "coordinator"})
    assert "The invitation is on its way to neu@example.net." in admin.get(invited.url).content.decode()
    invitation = every(StaffInvitation).get()
    assert invitation.email == "neu@example.net"
    assert every(OutgoingMail).filter(recipient="neu@example.net").count() == 1
    colleague = StaffRoleFactory(centre=centre_a, role=StaffRole.Role.COORDINATOR)
    role_url = f"/centres/{centre_a.slug}/workspace/staff/{colleague.pk}/"
    promoted = admin.post(role_url, {"role": "centre_admin"})
    assert f"{colleague.user.username} is now Centre admin." in admin.get(promoted.url).content.decode()
    signed_out = admin.post(role_url, {"sign_out": "1"})
    assert f"{colleague.user.username} is signed out everywhere" in admin.get(signed_out.url).content.decode()
    assert "Yes, remove" in admin.get(role_url).content.decode()
    admin.post(role_url, {"remove": "1"})
    assert not every(StaffRole).filter(pk=colleague.pk).exists()
    withdraw = f"/centres/{centre_a.slug}/workspace/invitations/{invitation.pk}/withdraw/"
    admin.post(withdraw)
    assert not every(StaffInvitation).exists()


def test_the_last_admin_cannot_demote_themselves(admin, centre_a, centre_admin_a):
    own = every(StaffRole).get(user=centre_admin_a, centre=centre_a)
    refused = admin.post(f"/centres/{centre_a.slug}/workspace/staff/{own.pk}/", {"role": "coordinator"})
    assert refused.status_code == 409
    assert every(StaffRole).get(pk=own.pk).role == "centre_admin"
