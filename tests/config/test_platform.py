"""The container entrypoint and the image's build step, run here as the image would run them."""

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(**extra: str) -> dict[str, str]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
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
