#!/bin/sh
# Waits for the database, applies migrations when RUN_MIGRATIONS=1 (the web service), then runs
# the container's command: gunicorn, a Celery worker or Celery beat.
set -eu

python - <<'PY'
import sys
import time

import django
from django.db import connections
from django.db.utils import OperationalError

django.setup()
for attempt in range(60):
    try:
        connections["default"].ensure_connection()
        break
    except OperationalError:
        time.sleep(1)
else:
    sys.exit("The database did not become reachable within 60 seconds.")
PY

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    python manage.py migrate --no-input
fi

exec "$@"
