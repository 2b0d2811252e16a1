""""Draft with model" in <lw-chat-editor>, in the real sandboxed task frame, against a host page that
answers lw:generate the way the labeling page does (the model list for ``model: null``, then
lw:generate-chunk pieces and one lw:generate-done per reply, and stops a reply on lw:generate-cancel):
a draft streamed from the chosen model and edited, a draft stopped mid-stream (Esc: the frame cancels
the request) and undone (button and Alt+U), no button when the project has no model, and a disabled
button saying why for a model the worker may not use (role, budget)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import last, wait_for
from test_label_verification_view import open_frame

pytestmark = pytest.mark.e2e

CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "5"}, {"role": "user", "content": "Are you sure?"}]
MODELS = [{"id": 1, "name": "tutor-a", "kind": "openai", "model": "tiny"},
          {"id": 2, "name": "tutor-b", "kind": "openai", "model": "tiny-2"}]
WORDS = ["Yes,", " 2+2", " is", " 4:", " two", " and", " two", " make", " four."]


def _attr(value: Any) -> str:
    return json.dumps(value).replace("&", "&amp;").replace("'", "&#39;")


FRAMES.update({
    "chat-draft": f"""<lw-form>
  <lw-chat-editor name="chat" header="Correct the assistant" messages='{_attr(CHAT)}'
    guidance='{_attr({"minWords": 2, "maxWords": 40})}'></lw-chat-editor>
</lw-form>""",
    "chat-draft-one-model": f"""<lw-form>
  <lw-chat-editor name="chat" model="tutor-a" messages='{_attr(CHAT)}'></lw-chat-editor>
</lw-form>""",
})

# The host's side, installed before the page's scripts so the frame's first request (the model list) is answered.
FAKE_HOST = """(() => {
  if (window.top !== window) return;
  const gen = window.__gen = { requests: [], cancels: [], models: %s, words: %s, delay: 120 };
  window.addEventListener("message", (e) => {
    const m = e.data;
    if (m && m.type === "lw:generate-cancel") return void gen.cancels.push(m.id);
    if (!m || m.type !== "lw:generate") return;
    const reply = (msg) => e.source.postMessage(Object.assign({}, msg, { nonce: m.nonce }), "*");
    gen.requests.push(m);
    if (m.model === null) return reply({ type: "lw:generate-done", id: m.id, ok: true, result: gen.models });
    const id = 100 + gen.requests.length;
    let i = 0;
    const tick = () => {
      if (gen.cancels.includes(m.id)) return; // the page aborted the request: nothing more comes
      if (i < gen.words.length) {
        reply({ type: "lw:generate-chunk", id: m.id, text: gen.words[i++] });
        setTimeout(tick, gen.delay);
      } else {
        reply({ type: "lw:generate-done", id: m.id, ok: true, result: { generation_id: id, model: m.model,
          text: gen.words.join(""), finish_reason: "stop", latency_ms: 9, first_token_ms: 1 } });
      }
    };
    setTimeout(tick, gen.delay);
  });
})();"""


def _open(page: Any, name: str, models: list[dict[str, Any]] = MODELS) -> Any:
    page.add_init_script(FAKE_HOST % (json.dumps(models), json.dumps(WORDS)))
    open_frame(page, name, width=1000)
    return page.frame_locator("iframe").locator("lw-chat-editor")


def _reply(el: Any) -> Any:
    return el.locator("[data-turn='4'] textarea")


def _value(page: Any) -> list[dict[str, Any]]:
    change = last(page, "lw:change")
    assert change is not None
    return list(change["value"]["chat"]["messages"])


def test_a_reply_drafted_by_the_chosen_model_then_edited(page: Any, shots: Path) -> None:
    el = _open(page, "chat-draft")
    draft = el.locator("[data-turn='4'] [data-testid=draft]")
    draft.wait_for(timeout=5000)
    assert el.locator("[data-turn='2'] [data-testid=draft]").count() == 0  # the item's reply is corrected, not drafted
    el.locator("[data-turn='4'] select").select_option("tutor-b")
    draft.click()
    el.locator("[data-testid=drafting]").wait_for()
    page.wait_for_function("() => window.__gen.requests.length === 2")
    page.wait_for_timeout(450)  # a few words in
    assert _reply(el).get_attribute("readonly") is not None
    assert "tutor-b is drafting" in el.locator("[data-testid=drafting]").inner_text()
    partial = _reply(el).input_value()
    assert partial and len(partial) < len("".join(WORDS))
    page.screenshot(path=str(shots / "chat-draft-streaming.png"))
    el.locator("[data-testid=drafted]").wait_for(timeout=5000)
    request = page.evaluate("window.__gen.requests[1]")
    assert request["model"] == "tutor-b" and request["messages"] == CHAT and request["params"] == {}
    assert _reply(el).input_value() == "".join(WORDS)
    assert _reply(el).evaluate("t => t === t.getRootNode().activeElement")  # the worker edits on from here
    assert _reply(el).get_attribute("readonly") is None
    _reply(el).fill("Yes: 2+2 is 4, two and two make four.")
    assert "drafted by tutor-b, edited" in el.locator("[data-testid=drafted]").inner_text()
    page.screenshot(path=str(shots / "chat-draft-edited.png"))
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    sent = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["chat"]["messages"]
    assert sent[4] == {"role": "assistant", "content": "Yes: 2+2 is 4, two and two make four.", "edited": True,
                       "added": True, "source": {"model": "tutor-b", "generationId": 102, "draft": "".join(WORDS),
                                                 "edited": True}}
    assert page.errors == []


def test_stop_mid_stream_then_undo_by_button_and_by_key(page: Any, shots: Path) -> None:
    el = _open(page, "chat-draft-one-model")
    el.locator("[data-turn='4'] [data-testid=draft]").wait_for(timeout=5000)
    assert el.locator("select").count() == 0  # the template names its model
    assert "Draft with tutor-a" in el.locator("[data-testid=draft]").inner_text()
    _reply(el).fill("My own start.")
    _reply(el).press("Alt+g")  # the hotkey, typed in the reply
    el.locator("[data-testid=drafting]").wait_for()
    page.wait_for_timeout(300)
    el.locator("[data-turn='4'] textarea").press("Escape")
    el.locator("[data-testid=drafted]").wait_for()
    kept = _reply(el).input_value()
    assert kept and "".join(WORDS).startswith(kept) and kept != "".join(WORDS)
    # the frame asked the page to cancel that request (the page aborts it; the server stops the model)
    assert page.evaluate("window.__gen.cancels") == [page.evaluate("window.__gen.requests[1].id")]
    page.wait_for_timeout(120 * 3)
    assert _reply(el).input_value() == kept
    assert "(stopped)" in el.locator("[data-testid=drafted]").inner_text()
    # a cancelled reply has no final record: the stopped draft names no generation
    assert _value(page)[4]["source"] == {"model": "tutor-a", "draft": kept, "edited": False, "stopped": True}
    page.screenshot(path=str(shots / "chat-draft-stopped.png"))
    el.locator("[data-testid=undo-draft]").click()
    assert _reply(el).input_value() == "My own start."
    assert el.locator("[data-testid=drafted]").count() == 0 and "source" not in _value(page)[4]

    # Alt+U while it streams: back to the text before, the rest of the reply ignored
    _reply(el).press("Alt+g")
    el.locator("[data-testid=drafting]").wait_for()
    page.wait_for_timeout(250)
    _reply(el).press("Alt+u")
    assert _reply(el).input_value() == "My own start."
    assert len(page.evaluate("window.__gen.cancels")) == 2  # undoing a streaming draft cancels it too
    page.wait_for_timeout(120 * (len(WORDS) + 2))
    assert _reply(el).input_value() == "My own start." and el.locator("[data-testid=drafted]").count() == 0
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    sent = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["chat"]["messages"]
    assert sent[4] == {"role": "assistant", "content": "My own start.", "edited": True, "added": True}
    assert page.errors == []


def test_no_model_connected_no_draft_button(page: Any) -> None:
    el = _open(page, "chat-draft", models=[])
    page.wait_for_function("() => window.__gen.requests.length === 1")  # the frame asked which models exist
    page.wait_for_timeout(200)
    assert el.locator("[data-testid=draft]").count() == 0
    assert _reply(el).is_editable()
    assert page.errors == []


REFUSED = "tutor-a: only manager, reviewer may generate with this model (you are annotator)"


def test_a_model_the_worker_may_not_use_disables_draft_saying_why(page: Any, shots: Path) -> None:
    models = [{**MODELS[0], "may_generate": False, "generate_refusal": REFUSED},
              {**MODELS[1], "may_generate": True, "generate_refusal": None}]
    el = _open(page, "chat-draft-one-model", models=models)  # the template names tutor-a
    draft = el.locator("[data-testid=draft]")
    draft.wait_for(timeout=5000)
    assert draft.is_disabled()
    assert draft.get_attribute("title") == f"You cannot draft with tutor-a: {REFUSED}"
    assert el.locator(".draft-wrap").get_attribute("title") == f"You cannot draft with tutor-a: {REFUSED}"
    page.screenshot(path=str(shots / "chat-draft-refused.png"))
    _reply(el).press("Alt+g")  # the key says why too, and asks nothing
    assert REFUSED in el.locator(".draft-error").inner_text()
    assert page.evaluate("window.__gen.requests.length") == 1  # the model list only
    assert _reply(el).is_editable()

    # with a choice, the first model the worker may use is picked; the refused one is marked
    page.goto("about:blank")
    el = _open(page, "chat-draft", models=models)
    el.locator("[data-turn='4'] [data-testid=draft]").wait_for(timeout=5000)
    select = el.locator("[data-turn='4'] select")
    assert select.input_value() == "tutor-b"
    assert el.locator("[data-turn='4'] [data-testid=draft]").is_enabled()
    assert el.locator("option[value=tutor-a]").inner_text() == "tutor-a (not for you now)"
    select.select_option("tutor-a")
    assert el.locator("[data-turn='4'] [data-testid=draft]").is_disabled()
    assert page.errors == []
