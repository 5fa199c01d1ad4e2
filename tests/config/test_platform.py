"""The container entrypoint and the image's build step, run here as the image would run them."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.clock_ahead import CLOCK_VARIABLES

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", *CLOCK_VARIABLES) if key in os.environ}
    return {**base, "ENV_FILE": "", **extra}


def test_entrypoint_waits_for_the_database_migrates_and_runs_the_command(tmp_path):
    database = tmp_path / "kontakt.sqlite3"
    result = subprocess.run(
        ["sh", "platform/entrypoint.sh", "python", "-c", "print('command ran')"],
        cwd=ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="true",
            DATABASE_URL=f"sqlite:///{database}",
            RUN_MIGRATIONS="1",
            PATH=f"{Path(os.sys.executable).parent}:{os.environ['PATH']}",
        ),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "Applying centres.0001_initial... OK" in result.stdout
    assert result.stdout.rstrip().endswith("command ran")


def test_the_dockerfile_collectstatic_step_runs_without_secrets(tmp_path):
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    step = re.search(r"RUN (SECRET_KEY=\S+ DEBUG=false python manage.py collectstatic --no-input)", dockerfile)
    assert step is not None
    command = step.group(1).replace("python", str(Path(os.sys.executable)), 1)
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE="config.settings", STATIC_ROOT=str(tmp_path / "static")),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()


def test_gunicorn_access_log_masks_the_private_feed_token(tmp_path):
    import socket
    import time
    import urllib.error
    import urllib.request

    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    python = str(Path(os.sys.executable))
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=180)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            str(Path(python).with_name("gunicorn")),
            "--config",
            "platform/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/calendar/people/SECRETTOKEN123.ics"
        status = None
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2)
            except urllib.error.HTTPError as error:
                status = error.code
                break
            except OSError:
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert status == 404
    assert '"GET /calendar/people/***.ics" 404' in output
    assert "SECRETTOKEN123" not in output


def test_the_benchmark_entry_points_import_before_django_is_set_up():
    # `make bench` imports its modules first and sets Django up against the bench database after;
    # a module that reads models at import time (a test helper pulling in factories) breaks it.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    modules = ["tests.benchmarks.run", "tests.benchmarks.growth", "tests.benchmarks.load", "tests.benchmarks.mail"]
    code = "import importlib, sys; [importlib.import_module(name) for name in sys.argv[1:]]"
    result = subprocess.run(
        [sys.executable, "-c", code, *modules], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
