"""A centre admin's settings and staff pages in the workspace: changes go through the services,
the answers say what happened, the last admin stays, and coordinators may not use them."""

from datetime import time

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


def test_an_admin_sets_a_rooms_opening_hours_and_bad_hours_change_nothing(admin, centre_a, room_a, client):
    from meetings.models import OpeningHours

    url = f"/centres/{centre_a.slug}/workspace/rooms/{room_a.pk}/hours/"
    hours = {
        "open_0": "on",
        "opens_0": "09:00",
        "closes_0": "21:00",
        "open_2": "on",
        "opens_2": "10:00",
        "closes_2": "16:00",
    }
    saved = admin.post(url, {**hours, "open_to_self_run": "on"})
    rooms_page = admin.get(saved.url).content.decode()
    assert "The settings of Raum Linde are saved" in rooms_page
    assert "open to self-run groups" in rooms_page
    room_a.refresh_from_db()
    assert room_a.open_to_self_run
    assert sorted(every(OpeningHours).filter(room=room_a).values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(21)),
        (2, time(10), time(16)),
    ]
    backwards = admin.post(url, {**hours, "opens_2": "17:00"})
    assert backwards.status_code == 400
    assert "A room must open before it closes." in backwards.content.decode()
    assert every(OpeningHours).filter(room=room_a, weekday=2).get().opens == time(10)


def test_an_admin_rewrites_the_self_run_checklist_and_retired_steps_stay(admin, centre_a):
    from volunteers.models import ChecklistItem

    url = f"/centres/{centre_a.slug}/workspace/checklist/"
    admin.get(url)  # the centre's list is made from the defaults, in its language
    first = every(ChecklistItem).filter(centre=centre_a).order_by("position").first().text
    assert every(ChecklistItem).filter(centre=centre_a, is_active=True).count() == 5
    saved = admin.post(url, {"steps": f"{first}\nA first outing together\n"})
    assert "The checklist has 2 steps now." in admin.get(saved.url).content.decode()
    active = every(ChecklistItem).filter(centre=centre_a, is_active=True).order_by("position")
    assert list(active.values_list("text", flat=True)) == [first, "A first outing together"]
    assert every(ChecklistItem).filter(centre=centre_a, is_active=False).count() == 4
    empty = admin.post(url, {"steps": " \n "})
    assert empty.status_code == 400
    assert every(ChecklistItem).filter(centre=centre_a, is_active=True).count() == 2
