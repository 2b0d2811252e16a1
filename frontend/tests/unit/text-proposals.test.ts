import { describe, expect, it } from "vitest";
import type { Region } from "../../src/lib/assist-client";
import { TextModel } from "../../src/text/model";
import { OffsetIndex } from "../../src/text/offsets";
import { describeMerge, mergeProposals, topDocumentLabel } from "../../src/text/proposals";

const TEXT = "Tim Cook visited London for Apple.";
const LABELS = ["person", "location", "corporation"];
const span = (label: string | undefined, startOffset: number, endOffset: number, score?: number): Region =>
  ({ kind: "span", startOffset, endOffset, source: "model", ...(label === undefined ? {} : { label }), ...(score === undefined ? {} : { score }) }) as Region;

describe("mergeProposals", () => {
  const index = new OffsetIndex(TEXT);

  it("adds every proposal the document lacks, marked as the model's", () => {
    const m = mergeProposals([span("person", 0, 8, 0.9), span("location", 17, 23), span("corporation", 28, 33)], [], LABELS, index, "en_core_web_sm-3.8");
    expect(m.add).toEqual([
      { label: "person", start: 0, end: 8, extra: { source: "model", model: "en_core_web_sm-3.8", score: 0.9 } },
      { label: "location", start: 17, end: 23, extra: { source: "model", model: "en_core_web_sm-3.8" } },
      { label: "corporation", start: 28, end: 33, extra: { source: "model", model: "en_core_web_sm-3.8" } },
    ]);
    expect(describeMerge(m)).toBe("3 proposed, all added");
    expect(describeMerge(mergeProposals([], [], LABELS, index, "m"))).toBe("No entities found");
  });

  it("skips spans already there (same label and offsets), unknown labels, repeats and stale offsets; counts each", () => {
    const existing = [{ label: "person", start: 0, end: 8 }, { label: "location", start: 28, end: 33 }];
    const regions: Region[] = [
      span("person", 0, 8), // already there
      span("corporation", 28, 33), // same offsets, another label: added
      span("location", 17, 23),
      span("location", 17, 23), // the model repeating itself
      span("GPE", 17, 23), // not one of the element's labels
      span(undefined, 9, 16), // no label at all
      span("person", 30, 99), // past the end of this text
      { kind: "label", label: "business", score: 0.8, source: "model" }, // not a span: not counted
    ];
    const m = mergeProposals(regions, existing, LABELS, index, "m");
    expect(m.add.map((a) => [a.label, a.start, a.end])).toEqual([["corporation", 28, 33], ["location", 17, 23]]);
    expect([m.proposed, m.already, m.unknownLabel, m.outside]).toEqual([7, 2, 2, 1]);
    expect(describeMerge(m)).toBe("7 proposed, 2 added, 2 already there, 2 with an unknown label, 1 outside the text");
  });

  it("turns code points into UTF-16 (an emoji before the entity counts one, then two)", () => {
    const text = "😀 Tim Cook";
    const m = mergeProposals([span("person", 2, 10)], [{ label: "person", start: 2, end: 10 }], LABELS, new OffsetIndex(text), "m");
    expect(m.add).toEqual([{ label: "person", start: 3, end: 11, extra: { source: "model", model: "m" } }]);
    expect(text.slice(3, 11)).toBe("Tim Cook");
  });

  it("drops a score outside 0–1 rather than storing what the server would refuse", () => {
    expect(mergeProposals([span("person", 0, 8, 1.5)], [], LABELS, index, "m").add[0]!.extra).toEqual({ source: "model", model: "m" });
  });
});

describe("TextModel.addEntities: the proposals as one undoable step", () => {
  it("adds them together, undo removes them all, redo brings them back", () => {
    const model = new TextModel(TEXT);
    const index = new OffsetIndex(TEXT);
    model.addEntity("person", 0, 8);
    const m = mergeProposals([span("person", 0, 8), span("location", 17, 23, 0.5), span("corporation", 28, 33)], model.entities(), LABELS, index, "spacy");
    const added = model.addEntities(m.add, "Add 2 proposed spans");
    expect(added.map((e) => e.id)).toEqual(["e2", "e3"]);
    expect(model.undoTitle).toBe("Add 2 proposed spans");
    expect(model.output(index).entities).toEqual([
      { label: "person", startOffset: 0, endOffset: 8, id: "e1" },
      { label: "location", startOffset: 17, endOffset: 23, id: "e2", source: "model", model: "spacy", score: 0.5 },
      { label: "corporation", startOffset: 28, endOffset: 33, id: "e3", source: "model", model: "spacy" },
    ]);
    model.undo();
    expect(model.entities().map((e) => e.id)).toEqual(["e1"]);
    model.redo();
    expect(model.size).toBe(3);
    model.undo();
    model.undo();
    expect(model.size).toBe(0);
  });

  it("records nothing when every span is a duplicate or out of range", () => {
    const model = new TextModel(TEXT);
    model.addEntity("person", 0, 8);
    expect(model.addEntities([{ label: "person", start: 0, end: 8 }, { label: "person", start: 5, end: 500 }], "x")).toEqual([]);
    expect(model.undoTitle).toBe("Add person");
  });
});

describe("topDocumentLabel", () => {
  const label = (l: string, score: number): Region => ({ kind: "label", label: l, score, source: "model" });
  it("takes the best suggestion the element offers", () => {
    expect(topDocumentLabel([label("news", 0.9), label("sports", 0.6), label("business", 0.7)], ["sports", "business"])).toBe("business");
    expect(topDocumentLabel([label("news", 0.9)], ["sports"])).toBeNull();
    expect(topDocumentLabel([], ["sports"])).toBeNull();
  });
});
