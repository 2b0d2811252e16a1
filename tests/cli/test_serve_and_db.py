"""``db upgrade`` / ``db current`` and ``serve`` (a real uvicorn in a subprocess)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from labelworks.db.migrate import alembic_config
from alembic.script import ScriptDirectory

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_db_current_before_and_after_upgrade(cli) -> None:
    before = cli("db", "current")
    assert before.stdout == "none\n" and "labelworks db upgrade" in before.stderr
    assert f"revision {HEAD} (head)" in cli("db", "upgrade").stdout
    after = cli("db", "current")
    assert after.stdout == f"{HEAD}\n" and after.stderr == ""


def test_a_weak_secret_key_is_refused_clearly(cli, cli_env: dict[str, str | None]) -> None:
    cli_env["LABELWORKS_SECRET_KEY"] = "changeme"
    assert "LABELWORKS_SECRET_KEY is empty, a default" in cli("db", "upgrade", code=2).stderr


def test_an_unreachable_database_is_a_clear_error(cli, cli_env: dict[str, str | None]) -> None:
    cli_env["LABELWORKS_DATABASE_URL"] = "postgresql+psycopg://lw:secret-pw@127.0.0.1:1/none?connect_timeout=2"
    result = cli("db", "upgrade", code=2)
    assert "cannot open the database postgresql+psycopg://lw:***@127.0.0.1:1/none" in result.stderr
    assert "secret-pw" not in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELWORKS_")}
    return {**env, "LABELWORKS_DATA_DIR": str(data_dir), "NO_COLOR": "1", "COLUMNS": "200"}


def _serve(data_dir: Path, *args: str) -> tuple[str, str]:
    """Start ``serve``, wait for /api/health, stop it with Ctrl-C; returns (health body, output)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "labelworks.cli", "serve", "--port", str(port), *args],
                            env=_environment(data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        body = response.text
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output.decode()
    return body, output.decode()


def test_serve_migrates_binds_loopback_and_prints_the_url(data_dir: Path) -> None:
    body, output = _serve(data_dir)
    assert "Labelworks on http://127.0.0.1:" in output
    assert (data_dir / "labelworks.db").exists() and (data_dir / "secret_key").exists()
    assert body


def test_serve_with_several_worker_processes(data_dir: Path) -> None:
    body, output = _serve(data_dir, "--workers", "2")
    assert "Labelworks on http://127.0.0.1:" in output and body


def test_serve_on_a_taken_port_exits_2_with_a_message(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "labelworks.cli", "serve", "--port", str(port)],
                                env=_environment(data_dir), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "address already in use" in result.stderr
    assert "error: the server could not start" in result.stderr
    assert "Traceback" not in result.stderr
