"""Absence ("I can't come") moves here from notifications: the model joins meetings' state with
its table unchanged (notifications_absence), and its content type (with its permissions) is
relabelled, so no data moves."""

import django.db.models.deletion
from django.db import migrations, models


def content_type_relabel(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="absence").exists():
        ContentType.objects.filter(app_label=old, model="absence").update(app_label=new)


def forwards(apps, schema_editor):
    content_type_relabel(apps, schema_editor, old="notifications", new="meetings")


def backwards(apps, schema_editor):
    content_type_relabel(apps, schema_editor, old="meetings", new="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0002_plain_base_managers"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("meetings", "0010_enquiry_awaiting_confirmation"),
        ("notifications", "0013_absence_moves_to_meetings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Absence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "centre",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="centres.centre",
                                verbose_name="centre",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="absences",
                                to="meetings.meeting",
                                verbose_name="meeting",
                            ),
                        ),
                        (
                            "membership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="absences",
                                to="meetings.membership",
                                verbose_name="membership",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "absence",
                        "verbose_name_plural": "absences",
                        "db_table": "notifications_absence",
                        "constraints": [models.UniqueConstraint(fields=("meeting", "membership"), name="absence_once")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
