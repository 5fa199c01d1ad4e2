"""The workspace's reports page: a period's enquiries and waiting lists on the page, the raw rows
as CSV files, and a clear refusal of a wrong period. (Every figure: `test_year_report.py`.)"""

from datetime import UTC, datetime

import pytest

from intake.services.submission import enquiry_submit
from tests.factories import TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]


@pytest.fixture
def coordinator(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def test_a_period_shows_its_enquiries_and_downloads_them(coordinator, centre_a, centre_b, frozen_now):
    frozen_now(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    topic = TopicFactory(centre=centre_a, name="Sucht")
    enquiry_submit(actor=None, centre=centre_a, name="K", phone="0511", language="de", topics=[topic], consent=True)
    enquiry_submit(actor=None, centre=centre_b, name="L", phone="0045", language="da", consent=True)
    url = f"/centres/{centre_a.slug}/workspace/reports/"
    shown = coordinator.get(url + "?start=2026-11-01&end=2026-11-30")
    enquiries, waiting = shown.context["sections"][:2]
    assert enquiries.figures[0][0] == "Enquiries received"
    assert enquiries.figures[0][1].value == 1
    assert waiting.figures[0][0] == "People waiting"
    assert waiting.figures[0][1].value == 0
    assert "Sucht" in shown.content.decode()
    csv = coordinator.get(url + "?start=2026-11-01&end=2026-11-30&download=enquiries")
    assert csv["Content-Disposition"] == 'attachment; filename="enquiries-2026-11-01_2026-11-30.csv"'
    lines = csv.content.decode().splitlines()
    assert lines[0] == "month,centre,channel,topic,outcome,enquiries"
    assert len(lines) == 2
    assert lines[1].endswith(",web,Sucht,new,1")
    hours = coordinator.get(url + "?start=2026-11-01&end=2026-11-30&download=hours").content.decode()
    assert hours.splitlines() == ["month,centre,volunteer,volunteer_name,group,group_name,sessions,hours"]


def test_a_wrong_period_is_refused_by_name(coordinator, centre_a):
    url = f"/centres/{centre_a.slug}/workspace/reports/"
    backwards = coordinator.get(url + "?start=2026-11-30&end=2026-11-01&download=enquiries")
    assert backwards.status_code == 400
    assert "The end comes before the start." in backwards.content.decode()
    garbled = coordinator.get(url + "?start=soon&end=2026-11-01")
    assert garbled.status_code == 400
    assert "Enter a valid date." in garbled.content.decode()
