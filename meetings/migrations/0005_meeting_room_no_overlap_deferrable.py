"""Make the no-overlap constraint deferrable (still checked at once by default).

When a whole series moves, rows change one after another and a row's new slot can touch a
neighbour's old slot for a moment; the service defers the check to the end of that statement
group (SET CONSTRAINTS ... DEFERRED) and re-checks before it finishes.
"""

from django.db import migrations

FORWARDS = """
ALTER TABLE meetings_meeting DROP CONSTRAINT IF EXISTS meeting_room_no_overlap;
ALTER TABLE meetings_meeting ADD CONSTRAINT meeting_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'scheduled') DEFERRABLE INITIALLY IMMEDIATE;
"""
BACKWARDS = """
ALTER TABLE meetings_meeting DROP CONSTRAINT IF EXISTS meeting_room_no_overlap;
ALTER TABLE meetings_meeting ADD CONSTRAINT meeting_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'scheduled');
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_meeting_series_changed_reason")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
