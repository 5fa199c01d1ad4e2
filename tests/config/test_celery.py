"""The worker and beat commands start on the embedded transport and on Redis."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery import Celery

from tests.clock_ahead import CLOCK_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


class Process:
    """A command of the project running in the background, its output collected by a thread."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", *CLOCK_VARIABLES) if key in os.environ}
        self.popen = subprocess.Popen(
            [CELERY, "-A", "config", *args],
            cwd=ROOT,
            env={**base, "ENV_FILE": "", "DEBUG": "true", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.popen.stdout:
            self.lines.append(line)

    def wait_for(self, needle: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            output = "".join(self.lines)
            if needle in output:
                return output
            if self.popen.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"{needle!r} did not appear; output was:\n{''.join(self.lines)}")

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()


def test_worker_with_embedded_beat_runs_on_the_filesystem_transport(tmp_path):
    env = {"BROKER_FOLDER": str(tmp_path / "broker"), "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat")}
    worker = Process(["worker", "-B", "--loglevel=INFO", "--concurrency=1", "--hostname=fs@test"], env)
    try:
        output = worker.wait_for("fs@test ready.")
        assert "filesystem://" in output
        worker.wait_for("beat: Starting...")
    finally:
        worker.stop()
    assert (tmp_path / "broker" / "control").is_dir()


def test_worker_answers_a_ping_over_redis(redis_url):
    worker = Process(
        ["worker", "--loglevel=INFO", "--concurrency=1", "--hostname=redis@test"], {"REDIS_URL": redis_url}
    )
    try:
        worker.wait_for("redis@test ready.")
        client = Celery(broker=redis_url)
        replies = client.control.ping(destination=["redis@test"], timeout=5)
        assert replies == [{"redis@test": {"ok": "pong"}}]
    finally:
        worker.stop()
