"""The federation's figures: every centre's counts side by side and summed, published with
small-cell suppression. Counted by hand on three centres; checked with the exact solver of the
suppression's property test that nothing hidden can be worked out from what the page shows."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from centres.models import FederationRole
from centres.suppression import Published
from intake.models import Enquiry
from tests.centres.test_suppression import recomputable
from tests.factories import CentreFactory, UserFactory, every

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # 2026 has ended: the federation sees it


@pytest.fixture
def federation(client, frozen_now):
    frozen_now(NOW)
    user = UserFactory(username="verband-test")
    FederationRole.objects.create(user=user)
    client.force_login(user)
    return client


@pytest.fixture
def three_centres(frozen_now):
    """A: 2 web, 7 phone; B: 6 web, 6 phone; C: 1 e-mail (and one of last year, not counted)."""
    frozen_now(NOW)
    centres = [CentreFactory(name=name, slug=name.lower()) for name in ("Aue", "Berg", "Clus")]
    day = datetime.combine(date(2026, 5, 4), time(10), tzinfo=ZoneInfo("Europe/Berlin"))
    for centre, channel, number in (
        (centres[0], "web", 2),
        (centres[0], "phone", 7),
        (centres[1], "web", 6),
        (centres[1], "phone", 6),
        (centres[2], "email", 1),
    ):
        for _ in range(number):
            every(Enquiry).create(centre=centre, channel=channel, language="de", created_at=day, status_changed_at=day)
    last_year = day.replace(year=2025)
    every(Enquiry).create(
        centre=centres[2], channel="email", language="de", created_at=last_year, status_changed_at=last_year
    )
    return centres


def channel_table(client):
    answer = client.get("/federation/figures/?year=2026")
    assert answer.status_code == 200
    return next(table for table in answer.context["tables"] if table.key == "enquiries-channel")


def as_published(table):
    """The page's table in the suppression's terms: rows are centres, columns the channels."""
    rows = [name for name, _cells, _total in table.rows]
    return (
        Published(
            cells={(name, col): cells[i] for name, cells, _t in table.rows for i, col in enumerate(table.columns)},
            row_totals={name: total for name, _cells, total in table.rows},
            column_totals=dict(zip(table.columns, table.column_totals, strict=True)),
            total=table.total,
        ),
        rows,
        table.columns,
    )


def test_small_counts_are_hidden_and_cannot_be_worked_out(federation, three_centres):
    table = channel_table(federation)
    assert table.columns == ["Web form", "E-mail", "Phone", "In person"]
    truth = {"Aue": [2, 0, 7, 0], "Berg": [6, 0, 6, 0], "Clus": [0, 1, 0, 0]}
    shown = {name: cells for name, cells, _total in table.rows}
    for name, cells in shown.items():
        for value, true in zip(cells, truth[name], strict=True):
            assert value in (None, true)  # hidden, or the truth
            assert value is None or not 1 <= value <= 4
    # Hidden: Aue's 2 web, Clus's 1 e-mail, Clus's total of 1 and the e-mail total of 1.
    assert shown["Aue"][0] is None
    assert shown["Clus"][1] is None
    assert {name: total for name, _c, total in table.rows}["Clus"] is None
    assert table.column_totals[1] is None
    published, rows, columns = as_published(table)
    assert recomputable(published, rows, columns) == set()
    every_value = [v for _n, cells, total in table.rows for v in [*cells, total]] + [*table.column_totals, table.total]
    assert all(value is None or value == 0 or value >= 5 for value in every_value)


def test_the_threshold_is_a_platform_setting(federation, three_centres, settings):
    def shown(table):
        values = [v for _name, cells, total in table.rows for v in [*cells, total]]
        return [v for v in [*values, *table.column_totals, table.total] if v is not None]

    assert {8, 9} <= set(shown(channel_table(federation)))  # the web total, Aue's total
    settings.REPORT_THRESHOLD = 10
    assert all(value == 0 or value >= 10 for value in shown(channel_table(federation)))


def test_the_page_marks_hidden_figures_alike_and_downloads_them(federation, three_centres):
    page = federation.get("/federation/figures/?year=2026").content.decode()
    assert "marks a hidden figure" in page
    assert "&lt; 5" not in page
    csv = federation.get("/federation/figures/?year=2026&download=csv&table=enquiries-channel")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Contact point,Web form,E-mail,Phone,In person,Total"
    assert lines[1].startswith("Aue,×,")
    assert federation.get("/federation/figures/?year=2026&download=csv&table=nope").status_code == 400


def test_only_the_federation_sees_it(client, three_centres, coordinator_a):
    assert client.get("/federation/figures/").status_code == 302  # to the login
    client.force_login(coordinator_a)
    assert client.get("/federation/figures/").status_code == 404


def test_evaluation_results_only_where_enough_answered(federation, three_centres):
    from meetings.models import EvaluationAnswer, EvaluationRound, TopicCategory
    from tests.factories import GroupFactory, TopicFactory

    social = TopicCategory.objects.get(code="social")
    for centre, answers in ((three_centres[0], 5), (three_centres[1], 4)):
        group = GroupFactory(centre=centre, topic=TopicFactory(centre=centre, category=social))
        round_ = every(EvaluationRound).create(
            centre=centre, group=group, occasion="phase_out", held_on=date(2026, 5, 1),
            closes_on=date(2026, 5, 29), invited=10,
        )  # fmt: skip
        for _ in range(answers):
            every(EvaluationAnswer).create(
                centre=centre, round=round_, cheerful=3, calm=3, active=3, rested=3, interested=3,
                recommend="yes" if _ % 2 else "no",
            )  # fmt: skip
    evaluation = federation.get("/federation/figures/?year=2026").context["evaluation"]
    assert evaluation == [("Aue", "Social topics", {"answers": 5, "who5": 60, "recommend": 40})]


@pytest.mark.parametrize("year", ["2027", "2030", "1999", "abc"])
def test_only_a_year_that_has_ended_is_shown(federation, three_centres, year):
    answer = federation.get(f"/federation/figures/?year={year}")
    assert answer.status_code == 400
    assert "tables" not in answer.context


def test_the_last_year_that_ended_is_the_default(federation, three_centres):
    answer = federation.get("/federation/figures/")
    assert answer.context["period"].start == date(2026, 1, 1)
    assert federation.get("/federation/figures/?start=2026-05-04&end=2026-05-05").context["period"].start == date(
        2026, 1, 1
    )  # days are not a period the federation may ask for
