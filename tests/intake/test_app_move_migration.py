"""Intake's models began in the meetings app: moving them to `intake` moved no data. Their tables
keep their names, and the data migration relabels their content types (with the permissions and
the admin's history that hang from them) and the audit log's object types."""

import importlib

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from centres.models import AuditLogEntry
from intake.models import Enquiry, EnquiryNote
from tests.factories import every

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("intake.migrations.0002_content_types_and_audit_follow")


def historical_apps():
    """The models as the migration sees them (plain managers, as when `migrate` runs it)."""
    return MigrationLoader(connection).project_state(("intake", "0001_initial")).apps


def test_the_enquiry_tables_keep_their_names():
    through = Enquiry._meta.get_field("topics").remote_field.through
    names = (Enquiry._meta.db_table, EnquiryNote._meta.db_table, through._meta.db_table)
    assert names == ("meetings_enquiry", "meetings_enquirynote", "meetings_enquiry_topics")
    assert set(names) <= set(connection.introspection.table_names())
    assert (Enquiry._meta.app_label, EnquiryNote._meta.app_label) == ("intake", "intake")


@pytest.fixture
def as_before_the_move(centre_a):
    """The rows a database made before the move holds: content types and audit entries that say
    "meetings"."""
    ContentType.objects.filter(app_label="intake").update(app_label="meetings")
    ContentType.objects.clear_cache()
    for object_type in ("meetings.enquiry", "meetings.enquirynote", "meetings.meeting"):
        every(AuditLogEntry).create(centre=centre_a, action="view", object_type=object_type, object_id="1")
    yield
    ContentType.objects.clear_cache()


def labels() -> tuple[list[str], list[str]]:
    content_types = ContentType.objects.filter(model__in=["enquiry", "enquirynote"]).order_by("model")
    audit = every(AuditLogEntry).order_by("object_type").values_list("object_type", flat=True)
    return [f"{row.app_label}.{row.model}" for row in content_types], list(audit)


@pytest.mark.usefixtures("as_before_the_move")
def test_the_migration_relabels_content_types_and_audit_entries_and_back():
    apps = historical_apps()
    MIGRATION.forwards(apps, None)
    assert labels() == (
        ["intake.enquiry", "intake.enquirynote"],
        ["intake.enquiry", "intake.enquirynote", "meetings.meeting"],
    )
    # The permissions hang from the content type, so they follow it.
    assert Permission.objects.filter(content_type__app_label="intake", codename="view_enquiry").exists()
    MIGRATION.backwards(apps, None)
    assert labels() == (
        ["meetings.enquiry", "meetings.enquirynote"],
        ["meetings.enquiry", "meetings.enquirynote", "meetings.meeting"],
    )
    MIGRATION.forwards(apps, None)
    assert labels()[0] == ["intake.enquiry", "intake.enquirynote"]
