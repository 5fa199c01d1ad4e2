"""The shape the code keeps (README, Architecture): apps in layers that only point down, no
module over 500 lines, no function over 60. ruff's C901 caps complexity; these hold the rest."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "centres", "notifications", "meetings", "volunteers", "intake", "events", "imports")
MODULE_LINES, FUNCTION_LINES = 500, 60


def project_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_passes_500_lines():
    lengths = {path: len(path.read_text().splitlines()) for path in project_modules()}
    long = [f"{path.relative_to(ROOT)}: {n}" for path, n in lengths.items() if n > MODULE_LINES]
    assert long == []


def test_no_function_passes_60_lines():
    long = []
    for path in project_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert long == []


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def source_copy(tmp_path):
    """The apps' Python files and the layer contracts, in a folder of their own."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("templates", "static", "*.pyc"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_layers_hold(source_copy):
    result = lint_imports(source_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("centres/models.py", "from meetings import models as _upward"),  # centres knows no app
        ("notifications/services/__init__.py", "from meetings import models as _upward"),  # mail knows no meeting
        (
            "meetings/selectors/__init__.py",
            "def _later():\n    from intake import models  # noqa\n",
        ),  # inside a function too
        ("config/errors.py", "import centres.models as _upward"),  # config is the bottom
    ],
)
def test_an_upward_import_breaks_the_layers(source_copy, module, upward):
    target = source_copy / module
    target.write_text(target.read_text() + "\n" + upward + "\n")
    result = lint_imports(source_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
