"""Absence becomes a model of meetings (`meetings.0011_absence_from_notifications`): only the
migration state changes here; its table, notifications_absence, stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0012_newsletter_names_are_single_line"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Absence")],
            database_operations=[],
        ),
    ]
