"""gunicorn settings for the web container; each can be overridden from the environment."""

import multiprocessing
import os

from gunicorn import glogging

from config.log_filters import mask_secrets

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The access log never records query strings (signed links travel in them), and the private
# calendar feed's token is masked (`CalendarTokenMaskingLogger`).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


class CalendarTokenMaskingLogger(glogging.Logger):
    """Access log lines show /calendar/people/***.ics: the token is the feed's only secret."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = mask_secrets(atoms["U"])
        return atoms


logger_class = CalendarTokenMaskingLogger
