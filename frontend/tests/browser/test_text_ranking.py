"""<lw-text-ranking> as the text-ranking task type renders it (the server's default template and
Liquid renderer, with a worker seed): ranking by keyboard and by mouse (menus and dragging), ties
where a dimension allows them, the Likert comparison, classes, the rationale, the required checks,
the per-annotator order and the emitted value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.ranking import TEXT_RANKING
from labelworks.services.templates import render_task
from test_elements import clear, last, open_frame, settles, wait_for

pytestmark = pytest.mark.e2e

SPEC = ProjectSpec(parse_label_config({
    "labels": [{"label": "helpfulness", "description": "Which answer helps the user most?"},
               {"label": "honesty", "allowTie": True}],
    "responseClasses": {"labels": ["helpful", "harmful", "honest"]}, "rationale": "required"}))
PAIR = ProjectSpec(parse_label_config({"labels": [{"label": "overall"}], "pairwise": True, "rationale": "off"}))
LONG = "\n".join(f"Step {i}: check the connection, restart the router and wait a minute." for i in range(1, 60))
ITEM = {"messages": [{"role": "system", "content": "You are a helpful support agent."},
                     {"role": "user", "content": "My wifi keeps dropping. What should I do?"}],
        "responses": [{"id": "short", "text": "Restart your router."}, {"id": "long", "text": LONG},
                      {"id": "rude", "text": "Not my problem <b>at all</b>."}]}


def _page(spec: ProjectSpec, data: dict[str, Any], seed: str) -> str:
    return render_task(TEXT_RANKING.default_template(spec), data, list(spec.labels.labels),
                       header="Rank the answers", worker_seed=seed)


FRAMES.update({
    "rank-3": _page(SPEC, ITEM, ""),  # no seed: the item's order
    "rank-pair": _page(PAIR, {"prompt": "Say hi", "responses": ["Hello!", "Go away."]}, ""),
    "rank-seed-a": _page(PAIR, {"prompt": "p", "responses": [f"answer {i}" for i in range(6)]}, "1f0c2a"),
    "rank-seed-b": _page(PAIR, {"prompt": "p", "responses": [f"answer {i}" for i in range(6)]}, "9e77d3"),
})


def _value(page: Any) -> dict[str, Any]:
    m = last(page, "lw:change")
    assert m is not None
    return m["value"]["ranking"]


def test_keyboard_ranking_ties_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "rank-3", width=1200)
    # the response's markup shows as text, never as HTML
    assert frame.locator(".card").nth(2).locator(".text").inner_text() == "Not my problem <b>at all</b>."
    frame.get_by_role("group", name="Response A", exact=True).focus()
    page.keyboard.press("2")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("3")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("1")
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [2, 3, 1])
    # without ties, giving B the rank A holds swaps them
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("2")
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [3, 2, 1])
    # Shift+Up moves the focused response (B, rank 2) one place up: B first, C second, A third
    page.keyboard.press("Shift+ArrowUp")
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [3, 1, 2])
    page.keyboard.press("Shift+ArrowDown")  # and back down
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [3, 2, 1])
    # the second dimension allows ties
    frame.get_by_role("tab", name="honesty").click()
    frame.get_by_role("group", name="Response A", exact=True).focus()
    for key in ("1", "ArrowRight", "1", "ArrowRight", "3"):
        page.keyboard.press(key)
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][1]
             ["responseRankings"] == [1, 1, 3])
    page.keyboard.press("Enter")  # the rationale is required: the form says so and nothing is sent
    assert "rationale" in frame.get_by_role("alert").inner_text()
    assert last(page, "lw:submit") is None
    frame.get_by_role("group", name="Classes of response C").get_by_role("button", name="harmful").click()
    frame.get_by_role("textbox", name="Rationale").fill("C is rude; A is short but right.")
    page.screenshot(path=str(shots / "text-ranking-keyboard.png"), full_page=True)
    frame.get_by_role("group", name="Response A", exact=True).focus()
    page.keyboard.press("Enter")
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["ranking"]
    assert submitted == {
        "displayOrder": ["short", "long", "rude"],
        "ordinalRankingDimensions": [{"name": "helpfulness", "responseRankings": [3, 2, 1]},
                                     {"name": "honesty", "responseRankings": [1, 1, 3]}],
        "responseClassifications": [{"responseId": "short", "labels": []}, {"responseId": "long", "labels": []},
                                    {"responseId": "rude", "labels": ["harmful"]}],
        "rationale": "C is rude; A is short but right."}
    # what the element posted is what the server accepts, mapped to the item's ids
    stored = TEXT_RANKING.normalize_with_item({"ranking": submitted}, SPEC, ITEM)
    assert stored["ordinalRankingDimensions"][0]["responseRankings"] == [3, 2, 1]


def test_mouse_menus_and_dragging(page: Any, shots: Path) -> None:
    frame = open_frame(page, "rank-3", width=1200)
    frame.get_by_role("combobox", name="Rank of response B").select_option("1")
    frame.get_by_role("combobox", name="Rank of response A").select_option("2")
    frame.get_by_role("combobox", name="Rank of response C").select_option("3")
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [2, 1, 3])
    # drag C to the front of the order strip: C, B, A
    chips = frame.locator(".order li.chip")
    assert [t.replace("\n", "") for t in chips.all_inner_texts()] == ["B#1", "A#2", "C#3"]
    chips.nth(2).drag_to(chips.nth(0))
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [3, 2, 1])
    assert [t.replace("\n", "") for t in frame.locator(".order li.chip").all_inner_texts()] == ["C#1", "B#2", "A#3"]
    assert frame.get_by_role("combobox", name="Rank of response C").input_value() == "1"
    # the long response scrolls inside its card
    long_text = frame.locator(".card").nth(1).locator(".text")
    assert long_text.evaluate("el => el.scrollHeight > el.clientHeight + 50")
    page.screenshot(path=str(shots / "text-ranking-mouse.png"), full_page=True)


def test_likert_comparison(page: Any, shots: Path) -> None:
    frame = open_frame(page, "rank-pair")
    frame.get_by_role("group", name="Response A", exact=True).focus()
    page.keyboard.press("1")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # the comparison is required
    assert "compare" in frame.get_by_role("alert").inner_text()
    frame.get_by_role("radio", name="A is much better").click()
    settles(page, "lw:change", {"ranking": {"displayOrder": ["r1", "r2"], "ordinalRankingDimensions": [
        {"name": "overall", "responseRankings": [1, 2]}], "pairwiseChoice": {"left": "r1", "right": "r2", "choice": 1}}})
    assert frame.get_by_role("radio", name="A is much better").get_attribute("aria-checked") == "true"
    page.screenshot(path=str(shots / "text-ranking-likert.png"), full_page=True)
    clear(page)
    frame.get_by_role("group", name="Response A", exact=True).focus()
    page.keyboard.press("Enter")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["ranking"]["pairwiseChoice"]["choice"] == 1


def test_each_seed_its_own_order(page: Any) -> None:
    orders = []
    for name in ("rank-seed-a", "rank-seed-b"):
        frame = open_frame(page, name)
        letters = frame.locator(".card .text").all_inner_texts()
        assert sorted(letters) == [f"answer {i}" for i in range(6)]
        orders.append(letters)
        frame.get_by_role("group", name="Response A", exact=True).focus()
        page.keyboard.press("1")
        # the change arrives asynchronously (a loaded machine may take a while): wait for it
        shown = wait_for(page, lambda m: m["type"] == "lw:change")["value"]["ranking"]["displayOrder"]
        assert [f"answer {int(x[1:]) - 1}" for x in shown] == letters  # displayOrder is what was shown
    assert orders[0] != orders[1]
    # the same seed gives the same order again (a reload)
    assert open_frame(page, "rank-seed-a").locator(".card .text").all_inner_texts() == orders[0]


FRAMES["rank-initial"] = _page(PAIR, {"prompt": "Say hi", "responses": ["Hello!", "Go away."]}, "").replace(
    "<lw-text-ranking ", """<lw-text-ranking initial-value='{"displayOrder": ["r2", "r1"], "ordinalRankingDimensions":
    [{"name": "overall", "responseRankings": [2, 1]}], "pairwiseChoice": {"left": "r2", "right": "r1", "choice": 5}}' """, 1)


def test_initial_value_and_a_restored_draft(page: Any) -> None:
    # an initial value shown in another order lands on the same responses: r1 first, "B much better" mirrored
    frame = open_frame(page, "rank-initial")
    assert frame.get_by_role("combobox", name="Rank of response A").input_value() == "1"
    assert frame.get_by_role("radio", name="A is much better").get_attribute("aria-checked") == "true"
    # the host's draft replaces it; the host's forwarded digit ranks the focused response
    draft = {"ranking": {"displayOrder": ["r1", "r2"], "ordinalRankingDimensions": [
        {"name": "overall", "responseRankings": [2, 1]}], "pairwiseChoice": {"left": "r1", "right": "r2", "choice": 4}}}
    page.evaluate("d => window.__send({type: 'lw:init', draft: d})", draft)
    assert frame.get_by_role("combobox", name="Rank of response B").input_value() == "1"
    assert frame.get_by_role("radio", name="B is slightly better").get_attribute("aria-checked") == "true"
    frame.get_by_role("group", name="Response A", exact=True).focus()
    page.evaluate("window.__send({type: 'lw:key', key: '1'})")
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["ranking"]["ordinalRankingDimensions"][0]
             ["responseRankings"] == [1, 2])


# Ground Truth's own sample template (Crowd HTML Elements V2), unchanged but for shorter texts
FRAMES["rank-gt"] = """<crowd-form>
  <crowd-text-ranking
    name="textRanking"
    ordinal-ranking-dimensions='[{"name":"Clarity","allowTie":true},{"name":"Inclusivity","allowTie":false}]'
    text="Explain why you can see yourself in a mirror at a level that a 16 year old can understand."
    responses='["Light reflects off your body, then off the mirror, into your eyes.",
                "You see yourself because of a series of light reflections.",
                "Photons interact with the reflective surface at a specific angle of incidence."]'
  >
    <short-instructions><p>Rank the explanations.</p></short-instructions>
  </crowd-text-ranking>
</crowd-form>"""


def test_ground_truths_template_runs_unchanged(page: Any, shots: Path) -> None:
    frame = open_frame(page, "rank-gt", width=1100)
    assert "Rank the explanations." in frame.locator("crowd-text-ranking").inner_text()
    assert frame.locator(".prompt").inner_text().startswith("Explain why you can see yourself")
    frame.get_by_role("group", name="Response A", exact=True).focus()
    for key in ("1", "ArrowRight", "1", "ArrowRight", "2"):  # Clarity allows ties
        page.keyboard.press(key)
    frame.get_by_role("tab", name="Inclusivity").click()
    frame.get_by_role("group", name="Response A", exact=True).focus()
    for key in ("2", "ArrowRight", "1", "ArrowRight", "3"):
        page.keyboard.press(key)
    page.screenshot(path=str(shots / "text-ranking-gt.png"), full_page=True)
    page.keyboard.press("Enter")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"textRanking": {
        "displayOrder": ["r1", "r2", "r3"],
        "ordinalRankingDimensions": [{"name": "Clarity", "responseRankings": [1, 1, 2]},
                                     {"name": "Inclusivity", "responseRankings": [2, 1, 3]}]}}


MARKDOWN = ("## Steps\n\n1. Restart the **router**\n2. Run `ping 8.8.8.8`\n\n```sh\nsudo systemctl restart NetworkManager\n```\n\n"
            "> Tip: <img src=x onerror=\"window.top.__pwned = 1\"> <script>window.top.__pwned = 1</script>")
FRAMES["rank-markdown"] = _page(PAIR, {"prompt": "Fix my wifi", "responses": [MARKDOWN, "Just *wait*."]}, "")


def test_markdown_is_drawn_without_markup_from_the_response(page: Any, shots: Path) -> None:
    frame = open_frame(page, "rank-markdown", width=1100)
    card = frame.locator(".card").first.locator(".text")
    assert card.locator("ol li").all_inner_texts() == ["Restart the router", "Run ping 8.8.8.8"]
    assert card.locator("ol strong").inner_text() == "router"
    assert card.locator("pre code").inner_text() == "sudo systemctl restart NetworkManager"
    assert card.locator("img, script").count() == 0  # the payload is text
    assert "<img src=x" in card.locator("blockquote").inner_text()
    assert frame.locator(".card").nth(1).locator("em").inner_text() == "wait"
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=str(shots / "text-ranking-markdown.png"), full_page=True)
