"""There is no Docker engine in CI, so docker-compose.yml is checked by reading it."""

import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_the_production_services_are_all_there(compose):
    assert set(compose["services"]) == {"web", "worker", "beat", "postgres", "redis", "mailpit"}
    assert compose["services"]["postgres"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"


def test_every_service_has_a_healthcheck(compose):
    assert [name for name, service in compose["services"].items() if "healthcheck" not in service] == []


def test_app_services_are_built_from_the_platform_dockerfile(compose):
    for name in ("web", "worker", "beat"):
        build = compose["services"][name]["build"]
        assert (ROOT / build["context"] / build["dockerfile"]).is_file(), name


def test_web_waits_for_healthy_database_and_redis(compose):
    depends = compose["services"]["web"]["depends_on"]
    assert depends == {"postgres": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_wait_for_web_and_so_for_its_migrations(compose, name):
    assert compose["services"][name]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_image_knows_its_settings_module():
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    assert "DJANGO_SETTINGS_MODULE=config.settings" in dockerfile


def test_web_runs_gunicorn_on_the_project_wsgi_app_and_migrates(compose):
    web = compose["services"]["web"]
    command = command_of(web)
    assert command[0] == "gunicorn"
    config = command[command.index("--config") + 1]
    assert (ROOT / config).is_file()
    module, _, attribute = command[-1].partition(":")
    assert (ROOT / (module.replace(".", "/") + ".py")).is_file()
    assert attribute == "application"
    assert web["environment"]["RUN_MIGRATIONS"] == "1"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_services_point_at_the_project_celery_app(compose, name):
    command = command_of(compose["services"][name])
    assert command[:3] == ["celery", "-A", "config"]
    assert command[3] == name
    assert (ROOT / "config" / "celery.py").is_file()


def test_exactly_one_beat(compose):
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1


def test_the_image_entrypoint_exists_and_is_executable():
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/app/platform/entrypoint.sh"]' in dockerfile
    entrypoint = ROOT / "platform" / "entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111


def test_dockerfile_installs_the_pinned_requirements():
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert (ROOT / "requirements.txt").is_file()
