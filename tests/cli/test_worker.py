"""``worker``: a clear error without Redis; with Redis it picks up queued jobs and runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labelworks.db.engine import Database
from labelworks.services import accounts, jobs

REDIS_DB = 13  # a logical database of its own: no other test's queue shares it


def test_worker_without_redis_says_what_to_do(cli) -> None:
    result = cli("worker", code=2)
    assert "LABELWORKS_REDIS_URL is not set" in result.stderr
    assert "no worker is needed" in result.stderr


def test_worker_with_an_unreachable_redis_fails_clearly(cli, cli_env: dict[str, str | None]) -> None:
    cli_env["LABELWORKS_REDIS_URL"] = "redis://:hunter2pass@127.0.0.1:1/0"
    result = cli("worker", code=2)
    assert "cannot reach Redis at redis://:***@127.0.0.1:1/0" in result.stderr
    assert "hunter2pass" not in result.output


@pytest.mark.redis
def test_worker_runs_a_job_left_queued(cli, db: Database, owner: str, make_project, data_dir: Path,
                                       tmp_path: Path, redis_server) -> None:
    project = make_project()
    manifest = tmp_path / "in.manifest"
    manifest.write_text('{"source": "one"}\n{"source": "two"}\n')
    cli("import", str(project), str(manifest))
    actor = accounts.actor_for(accounts.find_user(db, owner))
    job_id = jobs.create_export_job(db, actor, project, "manifest")  # queued before any worker runs

    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELWORKS_")}
    env.update({"LABELWORKS_DATA_DIR": str(data_dir), "LABELWORKS_REDIS_URL": redis_server.url_for(REDIS_DB),
                "NO_COLOR": "1"})
    proc = subprocess.Popen([sys.executable, "-m", "labelworks.cli", "worker", "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while (job := jobs.get_job(db, actor, job_id)).status not in ("done", "failed"):
            assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the worker did not run the job"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert job.status == "done", job.error
    assert job.result is not None
    assert Path(str(job.result["path"])).read_text().splitlines() == ['{"source": "one"}', '{"source": "two"}']
    assert "1 queued jobs picked up" in output.decode()
