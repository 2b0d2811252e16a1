"""Jobs: in-process (SQLite huey inside the server) and on a real Redis with a separate consumer.

The job row is the outbox: a row left ``queued`` is picked up by ``sweep()``, and running a job
twice does nothing the second time (the claim is a conditional UPDATE).
"""

from __future__ import annotations

import itertools
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from labelworks.core.enums import JobStatus
from labelworks.db.engine import Database
from labelworks.jobs.queue import JobQueue, build_queue
from labelworks.jobs.runners import run_job
from labelworks.services import jobs as job_records
from labelworks.settings import Settings, load_settings

from factories import Factory, OrgUsers, wait_for_job

MANIFEST = b"".join(b'{"source": "row %d"}\n' % i for i in range(1, 21))


def _upload(client: TestClient, pid: int, headers: dict[str, str]) -> dict[str, Any]:
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": "rows.manifest"}, content=MANIFEST,
                    headers=headers)
    assert r.status_code == 202, r.text
    return r.json()  # type: ignore[no-any-return]


def _export(client: TestClient, pid: int, headers: dict[str, str], fmt: str = "manifest") -> dict[str, Any]:
    r = client.post(f"/api/v1/projects/{pid}/exports", json={"format": fmt}, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()  # type: ignore[no-any-return]


def _check_import_then_export(client: TestClient, pid: int, org: OrgUsers) -> None:
    job = wait_for_job(client, _upload(client, pid, org.manager.headers)["id"], org.manager.headers)
    assert job["status"] == "done", job["error"]
    assert job["result"]["created"] == 20
    job = wait_for_job(client, _export(client, pid, org.manager.headers)["id"], org.manager.headers)
    assert job["status"] == "done", job["error"]
    assert job["download_url"] == f"/api/v1/jobs/{job['id']}/download"
    assert job["result"]["filename"].endswith("-output.manifest") and "path" not in job["result"]
    r = client.get(job["download_url"], headers=org.manager.headers)
    assert r.status_code == 200
    assert sorted(json.loads(line)["source"] for line in r.text.splitlines()) == sorted(f"row {i}" for i in range(1, 21))
    assert int(r.headers["content-length"]) == job["result"]["bytes"]


def test_in_process_queue_runs_import_and_export(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    assert client.app.state.queue.in_process  # type: ignore[attr-defined]
    pid = factory.project(org.manager).id
    _check_import_then_export(client, pid, org)


def test_export_job_permissions(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = factory.project(org.manager).id
    r = client.post(f"/api/v1/projects/{pid}/exports", json={"format": "manifest"}, headers=org.annotator.headers)
    assert r.status_code == 403
    r = client.post(f"/api/v1/projects/{pid}/exports", json={"format": "pdf"}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"
    job = wait_for_job(client, _export(client, pid, org.manager.headers)["id"], org.manager.headers)
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=org.annotator.headers).status_code == 403
    upload = wait_for_job(client, _upload(client, pid, org.manager.headers)["id"], org.manager.headers)
    r = client.get(f"/api/v1/jobs/{upload['id']}/download", headers=org.manager.headers)
    assert r.status_code == 409  # an import has nothing to download


def test_a_job_left_queued_is_picked_up_by_the_sweep(make_client: Any, db: Database, settings: Settings,
                                                     factory: Factory, org: OrgUsers) -> None:
    pid = factory.project(org.manager).id
    factory.items(org.manager, pid, 3)
    # the row was committed but the process died before it was enqueued
    job_id = job_records.create_export_job(db, org.manager.actor, pid, "csv")
    assert job_records.queued_job_ids(db) == [job_id]
    client = make_client()  # the server starts: its in-process queue sweeps the outbox
    job = wait_for_job(client, job_id, org.manager.headers)
    assert job["status"] == "done"
    assert job_records.queued_job_ids(db) == []


def test_sweep_enqueues_every_queued_row(db: Database, settings: Settings, factory: Factory, org: OrgUsers) -> None:
    pid = factory.project(org.manager).id
    ids = [job_records.create_export_job(db, org.manager.actor, pid, fmt) for fmt in ("csv", "jsonl")]
    queue = build_queue(settings, db)
    assert queue.sweep() == 2
    assert queue.huey.pending_count() == 2
    for job_id in ids:  # what a consumer does with each message
        message = queue.huey.dequeue()
        assert message is not None
        queue.huey.execute(message)
    assert [job_records.get_job(db, org.manager.actor, i).status for i in ids] == [JobStatus.DONE, JobStatus.DONE]
    assert queue.sweep() == 0


def test_running_a_job_twice_does_nothing_the_second_time(db: Database, settings: Settings, factory: Factory,
                                                          org: OrgUsers) -> None:
    pid = factory.project(org.manager).id
    factory.items(org.manager, pid, 2)
    job_id = job_records.create_export_job(db, org.manager.actor, pid, "manifest")
    run_job(db, settings, job_id)
    first = job_records.get_job(db, org.manager.actor, job_id)
    assert first.status == JobStatus.DONE
    out = Path(str(first.result["path"]))  # type: ignore[index]
    out.write_bytes(b"marker")  # a second run would rewrite the file
    run_job(db, settings, job_id)
    again = job_records.get_job(db, org.manager.actor, job_id)
    assert (again.status, again.finished_at, again.result) == (first.status, first.finished_at, first.result)
    assert out.read_bytes() == b"marker"
    assert job_records.claim(db, job_id) is None


def test_a_failing_job_ends_failed(db: Database, settings: Settings, factory: Factory, org: OrgUsers,
                                   tmp_path: Path) -> None:
    pid = factory.project(org.manager).id
    job_id = job_records.create_import_job(db, org.manager.actor, pid, str(tmp_path / "gone.jsonl"), "manifest")
    run_job(db, settings, job_id)
    job = job_records.get_job(db, org.manager.actor, job_id)
    assert job.status == JobStatus.FAILED and "FileNotFoundError" in (job.error or "")


# ----------------------------------------------------------------------------------- Redis

_redis_dbs = itertools.count(1)


@pytest.fixture
def redis_url(redis_server: Any) -> str:
    url: str = redis_server.url_for(next(_redis_dbs) % 16)
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def worker(redis_url: str, data_dir: Path, database_url: str) -> Iterator[JobQueue]:
    """What `labelworks worker` runs, in this process: its own Database and queue, huey's consumer."""
    settings = load_settings(data_dir=data_dir, database_url=database_url, redis_url=redis_url)
    database = Database(database_url)
    queue = build_queue(settings, database)
    consumer = queue.consumer(2)
    # Consumer.start() installs SIGINT/SIGTERM handlers for a worker process; pytest keeps its own
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        consumer.start()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    yield queue
    consumer.stop(graceful=True)
    database.dispose()


@pytest.mark.redis
def test_redis_queue_with_a_separate_consumer(make_client: Any, redis_url: str, worker: JobQueue,
                                              factory: Factory, org: OrgUsers) -> None:
    client = make_client(redis_url=redis_url)
    assert not client.app.state.queue.in_process  # the server itself runs no jobs
    pid = factory.project(org.manager).id
    _check_import_then_export(client, pid, org)


@pytest.mark.redis
def test_redis_jobs_wait_for_a_worker_and_the_sweep_requeues(make_client: Any, redis_url: str, db: Database,
                                                             data_dir: Path, database_url: str, factory: Factory,
                                                             org: OrgUsers) -> None:
    client = make_client(redis_url=redis_url)
    pid = factory.project(org.manager).id
    job = _upload(client, pid, org.manager.headers)
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=org.manager.headers).json()["status"] == "queued"
    assert redis.Redis.from_url(redis_url).dbsize() > 0  # the message is in Redis
    lost = job_records.create_export_job(db, org.manager.actor, pid, "csv")  # written, never enqueued
    settings = load_settings(data_dir=data_dir, database_url=database_url, redis_url=redis_url)
    worker_queue = build_queue(settings, db)
    assert worker_queue.sweep() == 2  # both queued rows (one gets a second message: the claim makes it harmless)
    for _ in range(3):
        message = worker_queue.huey.dequeue()
        assert message is not None
        worker_queue.huey.execute(message)
    assert worker_queue.huey.dequeue() is None
    assert wait_for_job(client, job["id"], org.manager.headers)["status"] == "done"
    assert wait_for_job(client, lost, org.manager.headers)["status"] == "done"
