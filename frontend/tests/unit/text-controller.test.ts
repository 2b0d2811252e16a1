import { describe, expect, it } from "vitest";
import { TextController, type TextPort } from "../../src/text/controller";
import { parseEntityLabels } from "../../src/text/labels";
import { TextModel, type Entity } from "../../src/text/model";

const TEXT = "Barack Obama visited Paris.\nשלום עולם";

/** The controller without a browser: the selection is a pair of numbers, spans are looked up directly. */
function setup(tokenSnap = false) {
  const model = new TextModel(TEXT);
  let selection: [number, number] | null = null;
  const port: TextPort = {
    readSelection: () => selection,
    showRange: () => undefined,
    clearSelection: () => (selection = null),
    reveal: () => undefined,
    isRtlAt: (u) => u > TEXT.indexOf("\n"),
    lineStep: () => null,
    spansAt: (u) => model.entities().filter((e: Entity) => e.start <= u && u < e.end),
    paragraphBounds: (u) => (u > 27 ? [28, TEXT.length] : [0, 27]),
  };
  const c = new TextController(model, port);
  c.labels = parseEntityLabels('["PER", "ORG", {"label": "LOC", "key": "l"}]').labels;
  c.relationLabels = ["visited", "met"];
  c.tokenSnap = tokenSnap;
  const mouse = (a: number, f: number, hit: number | null = null) => {
    selection = [a, f];
    c.mouse.release(hit);
  };
  return { model, c, mouse };
}

const spans = (m: TextModel) => m.entities().map((e) => [e.label, TEXT.slice(e.start, e.end)]);

describe("TextController", () => {
  it("labels a mouse range with a hotkey, then relabels, adds a second label and deletes", () => {
    const { model, c, mouse } = setup();
    mouse(0, 13); // "Barack Obama " — the trailing space is trimmed
    expect(c.keyDown({ key: "1", code: "Digit1" })).toBe(true);
    expect(spans(model)).toEqual([["PER", "Barack Obama"]]);
    expect(c.selected?.label).toBe("PER");
    c.keyDown({ key: "2", code: "Digit2" });
    expect(spans(model)).toEqual([["ORG", "Barack Obama"]]);
    c.keyDown({ key: "!", code: "Digit1", shiftKey: true });
    expect(spans(model)).toEqual([["ORG", "Barack Obama"], ["PER", "Barack Obama"]]);
    c.keyDown({ key: "Delete" });
    expect(model.size).toBe(1);
    c.keyDown({ key: "z", ctrlKey: true });
    expect(model.size).toBe(2);
    expect(c.selected?.label).toBe("ORG"); // undo selects what it brought back
    c.keyDown({ key: "Z", ctrlKey: true, shiftKey: true });
    expect(model.size).toBe(1);
  });

  it("extends by graphemes and words with Shift and Ctrl; a label's own key labels", () => {
    const { model, c } = setup();
    c.keyDown({ key: "ArrowRight", ctrlKey: true, shiftKey: true });
    c.keyDown({ key: "ArrowRight", ctrlKey: true, shiftKey: true });
    expect(c.range).toEqual([0, 12]);
    c.keyDown({ key: "ArrowLeft", shiftKey: true });
    expect(c.range).toEqual([0, 11]);
    c.keyDown({ key: "l", code: "KeyL" });
    expect(spans(model)).toEqual([["LOC", "Barack Obam"]]);
  });

  it("arrow keys follow the eye in a right-to-left paragraph", () => {
    const { c } = setup();
    c.placeCaret(TEXT.indexOf("שלום"));
    c.keyDown({ key: "ArrowLeft" }); // left = forward in Hebrew
    expect(c.caret).toBe(TEXT.indexOf("שלום") + 1);
  });

  it("arms a label when nothing is chosen, then each mouse range gets it at once", () => {
    const { model, c, mouse } = setup(true);
    c.keyDown({ key: "3", code: "Digit3" });
    expect(c.armed).toBe(2);
    mouse(22, 24); // inside "Paris": token snap takes the word
    expect(spans(model)).toEqual([["LOC", "Paris"]]);
  });

  it("a click selects the innermost span, a second click the next one out; Tab cycles", () => {
    const { model, c, mouse } = setup();
    model.addEntity("PER", 0, 12);
    model.addEntity("ORG", 7, 12);
    mouse(8, 8);
    expect(c.selected?.label).toBe("ORG");
    mouse(8, 8);
    expect(c.selected?.label).toBe("PER");
    // A click on the last letter puts the caret after it (the span's end): the letter decides.
    c.select(null);
    mouse(12, 12, 11);
    expect(c.selected?.label).toBe("ORG");
    c.keyDown({ key: "Escape" });
    c.placeCaret(0);
    c.keyDown({ key: "Tab" });
    expect(c.selected?.label).toBe("PER");
    c.keyDown({ key: "Tab" });
    expect(c.selected?.label).toBe("ORG");
    c.keyDown({ key: "Tab", shiftKey: true });
    expect(c.selected?.label).toBe("PER");
  });

  it("draws a relation: R, a click on the target, its label", () => {
    const { model, c, mouse } = setup();
    const a = model.addEntity("PER", 0, 12)!;
    const b = model.addEntity("LOC", 21, 26)!;
    c.select(a.id);
    expect(c.keyDown({ key: "r", code: "KeyR" })).toBe(true);
    mouse(23, 23);
    expect(c.relation).toEqual({ stage: "label", from: a.id, to: b.id });
    c.keyDown({ key: "1", code: "Digit1" });
    expect(model.relations).toEqual([{ label: "visited", from: a.id, to: b.id }]);
    expect(c.relation).toBeNull();
    c.keyDown({ key: "z", ctrlKey: true });
    expect(model.relations).toEqual([]);
  });
});
