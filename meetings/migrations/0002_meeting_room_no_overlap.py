"""No two live meetings overlap in one room, enforced by PostgreSQL itself.

An exclusion constraint over (room, time range) for scheduled meetings makes double-booking
impossible under any concurrency. SQLite has no such constraint; there the booking service's
check inside its transaction (SQLite serialises writers) is the guard. The constraint is written
in SQL, not in the model's Meta, so that one migration history serves both databases.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE meetings_meeting ADD CONSTRAINT meeting_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'scheduled');
"""
DROP = "ALTER TABLE meetings_meeting DROP CONSTRAINT IF EXISTS meeting_room_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
