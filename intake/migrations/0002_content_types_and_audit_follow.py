"""What names the enquiry models by app follows their move from meetings to intake: their content
types are relabelled (so their permissions and the admin's change history stay attached), and
the audit log's `object_type` of their entries is rewritten ("meetings.enquiry" ->
"intake.enquiry"), so an enquiry's history reads as one. Reversible: backwards renames back."""

from django.db import migrations

MODELS = ("enquiry", "enquirynote")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditLogEntry = apps.get_model("centres", "AuditLogEntry")
    for model in MODELS:
        # A content type made under the new label already (a migrate interrupted between the
        # two apps) keeps its place; the old one then stays, as Django would have left it.
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
        AuditLogEntry.objects.filter(object_type=f"{old}.{model}").update(object_type=f"{new}.{model}")


def forwards(apps, schema_editor) -> None:
    _relabel(apps, "meetings", "intake")


def backwards(apps, schema_editor) -> None:
    _relabel(apps, "intake", "meetings")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("centres", "0010_consent_source_confirmation_link"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
