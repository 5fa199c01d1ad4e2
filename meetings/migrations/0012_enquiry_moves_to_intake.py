"""Enquiry and EnquiryNote move to the intake app (`intake.0001_initial`): only the migration
state changes here; their tables (meetings_enquiry, meetings_enquirynote, meetings_enquiry_topics)
stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0011_absence_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EnquiryNote"),
                migrations.DeleteModel(name="Enquiry"),
            ],
            database_operations=[],
        ),
    ]
