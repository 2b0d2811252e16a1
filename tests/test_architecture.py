"""Static rules of the code base: layers, documented settings and hooks, the error envelope."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from labelworks.api.errors import envelope, install_error_handlers
from labelworks.core.errors import ImportRejected, LabelworksError
from labelworks.plugins import hookspecs
from labelworks.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ENVELOPE_KEYS = ["code", "message", "field", "details"]


def _lint_imports() -> str:
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports (import-linter) is not installed"
    return found


def test_import_contracts_are_kept() -> None:
    proc = subprocess.run([_lint_imports(), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout and "BROKEN" not in proc.stdout


def test_layers_contract_names_every_top_level_package() -> None:
    """A new top-level package must be placed in the layers, or the rule silently skips it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layers = " | ".join(c for contract in config["tool"]["importlinter"]["contracts"] for c in contract.get("layers", []))
    named = set(re.findall(r"labelworks\.(\w+)", layers))
    package = ROOT / "src" / "labelworks"
    modules = {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    modules -= {"demo", "assist", "sdk"}  # data only, or not written yet
    missing = sorted(m for m in modules if m not in named)
    assert missing == [], f"packages missing from the import-linter layers: {missing}"


# --------------------------------------------------------------------------------- settings

CONFIG_DOC = ROOT / "docs" / "configuration.md"


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_described_and_documented(name: str) -> None:
    field = Settings.model_fields[name]
    assert field.description and len(field.description) > 10, f"Settings.{name} has no description"
    env = f"LABELWORKS_{name.upper()}"
    doc = CONFIG_DOC.read_text()
    row = next((line for line in doc.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"docs/configuration.md has no row for {name}; add:\n| `{name}` | `{env}` | … | {field.description} |"
    assert f"`{env}`" in row
    assert field.description in row, f"the description of {name} in docs/configuration.md differs from Settings"


def test_configuration_doc_lists_no_removed_setting() -> None:
    documented = re.findall(r"^\| `(\w+)` \|", CONFIG_DOC.read_text(), flags=re.M)
    assert sorted(documented) == sorted(Settings.model_fields)


# ------------------------------------------------------------------------------------ hooks


def test_every_hookspec_has_a_docstring() -> None:
    specs = [(name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
             if hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec")]
    assert specs, "no hook specifications found"
    for name, fn in specs:
        doc = inspect.getdoc(fn)
        assert doc and doc.strip(), f"hookspec {name} has no docstring"


def test_builtins_register_through_the_hooks() -> None:
    from labelworks.plugins.manager import build_plugin_manager, registry_from

    registry = registry_from(build_plugin_manager(load_entry_points=False))
    assert {"text-classification", "image-classification"} <= set(registry.task_types)


# -------------------------------------------------------------------------------- envelope


def test_envelope_shape_is_pinned() -> None:
    response = envelope(418, "teapot", "short and stout", "spout", [{"line": 1}])
    assert response.status_code == 418
    assert response.body == b'{"error":{"code":"teapot","message":"short and stout","field":"spout","details":[{"line":1}]}}'
    assert list(ImportRejected("m").to_dict()) == ENVELOPE_KEYS


def test_every_error_path_uses_the_envelope() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/domain")
    def domain() -> None:
        raise ImportRejected("line 3: bad", field="file", details=[{"line": 3, "reason": "bad"}])

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("secret internals")

    @app.get("/typed/{n}")
    def typed(n: int) -> None:
        return None

    client = TestClient(app, raise_server_exceptions=False)
    cases = {"/domain": 422, "/crash": 500, "/typed/x": 422, "/missing": 404}
    for path, status in cases.items():
        r = client.get(path)
        assert r.status_code == status, path
        body = r.json()
        assert list(body) == ["error"] and list(body["error"]) == ENVELOPE_KEYS, path
    assert client.get("/domain").json()["error"]["details"] == [{"line": 3, "reason": "bad"}]
    crash_body = client.get("/crash").json()["error"]
    assert crash_body["code"] == "internal_error" and "secret" not in crash_body["message"]
    assert client.get("/typed/x").json()["error"]["field"] == "n"


def test_errors_subclass_the_one_base() -> None:
    from labelworks.core import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), LabelworksError)
