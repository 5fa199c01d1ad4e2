"""gunicorn settings for the web container; each can be overridden from the environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core and one more, each handling one request at a time: the work is Python on
# the CPU, so threads only queue for the interpreter lock. Measured with `make bench-load` on two
# cores (docs/performance.md): 3 processes × 1 thread answered the week API at p95 79 ms, the
# former 5 × 2 at p95 332 ms. Behind a reverse proxy that buffers requests, as deployed.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Workers are recycled now and then (a guard against slow leaks). The application is loaded once,
# before forking, so a recycled worker is ready at once instead of importing Django again: under
# load, each re-import stalled a worker for about a second (the load test's slowest 5 %).
preload_app = True
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
accesslog = "-"
# Paths only, no query strings; the logger class masks the secret of every token link in any
# atom and in the error log, whatever the format (config/gunicorn_logger.py).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
logger_class = "config.gunicorn_logger.SecretMaskingLogger"

# Request timings of every worker for /metrics/: each process writes its own files in this folder,
# which must start empty (the figures of an earlier run would be counted again).
METRICS_FOLDER = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if METRICS_FOLDER:
    os.makedirs(METRICS_FOLDER, exist_ok=True)
    for name in os.listdir(METRICS_FOLDER):
        if name.endswith(".db"):
            os.remove(os.path.join(METRICS_FOLDER, name))


def pre_fork(server, worker):
    """Freeze what the loaded application made before each worker is forked: the collector then
    never scans those objects again, so its full collections stop adding a pause of up to a
    hundred milliseconds to a request (the room planner's week: p95 178 → 104 ms, median the
    same; docs/performance.md). The frozen pages are also shared, not copied, by the workers."""
    gc.freeze()


def child_exit(server, worker):
    """A worker that ended (recycled, or killed) leaves its live figures out of the sum."""
    if METRICS_FOLDER:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
