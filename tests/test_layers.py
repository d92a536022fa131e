"""The app layers hold (docs/architecture.md): an app imports only from the
layers below it, and only URL configurations import pages. The contracts are
in pyproject.toml ([tool.importlinter]); these tests run them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root):
    # grimp finds the package through the import system: the copy in ``root``
    # must come before the installed (editable) one.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_project(destination):
    shutil.copytree(
        ROOT / "fansite", destination / "fansite", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")


@pytest.mark.slow_subprocess
def test_the_layers_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow_subprocess
def test_an_upward_import_breaks_the_layers_even_inside_a_function(tmp_path):
    copy_project(tmp_path)
    catalogue = tmp_path / "fansite" / "episodes" / "catalogue.py"
    catalogue.write_text(
        catalogue.read_text()
        + "\n\ndef latest_threads():\n"
        + "    from fansite.threads.selectors import listed_threads\n\n"
        + "    return listed_threads(None)\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "fansite.episodes is not allowed to import fansite.threads" in result.stdout
    assert "fansite.episodes.catalogue -> fansite.threads.selectors" in result.stdout


@pytest.mark.slow_subprocess
def test_a_service_importing_a_page_breaks_the_contract(tmp_path):
    copy_project(tmp_path)
    services = tmp_path / "fansite" / "moderation" / "services.py"
    services.write_text(services.read_text() + "\nfrom fansite.threads import views  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "fansite.moderation.services -> fansite.threads.views" in result.stdout


@pytest.mark.slow_subprocess
def test_a_new_app_must_be_given_a_layer(tmp_path):
    copy_project(tmp_path)
    (tmp_path / "fansite" / "guestbook").mkdir()
    (tmp_path / "fansite" / "guestbook" / "__init__.py").write_text("")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "fansite.guestbook" in result.stdout
