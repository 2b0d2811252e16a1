"""A multi-label text project with an exclusion category, through the task API: the exclusion alone is
an answer, beside another label it is refused naming the field; the frame carries the attribute and
media items get their players with signed URLs."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from labelworks.settings import Settings

from factories import Factory, OrgUsers, UserHandle

NONE = "None of the above"
LABELS = {"labels": [{"label": "politics"}, {"label": "sport"}], "exclusionCategory": {"text": NONE}}


def _next(client: TestClient, user: UserHandle, pid: int) -> dict[str, Any]:
    r = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_exclusion_with_a_label_is_refused_and_alone_accepted(client: TestClient, factory: Factory,
                                                              org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=LABELS, multi_label=True, name="Topics")
    assert list(p.labels.labels) == ["politics", "sport", NONE]
    factory.items(org.manager, p.id, rows=[{"source": "A quiet day."}])
    task = _next(client, org.annotator, p.id)
    url = f"/api/v1/assignments/{task['assignment_id']}/submit"
    r = client.post(url, json={"value": {"label": {"labels": ["sport", NONE]}}}, headers=org.annotator.headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == "value.label.labels[1]"
    assert NONE in error["message"]
    r = client.post(url, json={"value": {"label": {"labels": [NONE]}}}, headers=org.annotator.headers)
    assert r.status_code == 201, r.text
    assert r.json()["value"] == {"labels": [NONE]}


def test_a_bad_exclusion_category_is_refused_at_creation(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/projects", headers=org.manager.headers, json={
        "name": "Bad", "task_type": "text-classification", "multi_label": True,
        "labels": {"labels": [{"label": "a"}], "exclusionCategory": {"text": ""}}})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "labels.exclusionCategory"


def test_the_frame_shows_a_player_from_a_signed_url(client: TestClient, factory: Factory, org: OrgUsers,
                                                   settings: Settings) -> None:
    audio = settings.media_dir / "call.wav"
    audio.write_bytes(b"RIFF0000WAVE")
    p = factory.project(org.manager, labels=LABELS, multi_label=True, name="Calls")
    factory.items(org.manager, p.id, rows=[{"source-ref": str(audio)}])
    task = _next(client, org.annotator, p.id)
    html = client.get(task["frame_url"], headers=org.annotator.headers).text
    assert "exclusion-category=" in html and "<lw-classifier-multi-select" in html
    src = html.split('<audio controls preload="metadata" style="width: 100%" src="', 1)[1].split('"', 1)[0]
    assert "/media/" in src and "call.wav" not in src  # signed: the path is not shown
    served = client.get(src.replace("&amp;", "&"), headers=org.annotator.headers)
    assert served.status_code == 200
    assert served.headers["content-type"] == "audio/wav"
    assert served.content == b"RIFF0000WAVE"
