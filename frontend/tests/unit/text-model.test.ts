import { describe, expect, it } from "vitest";
import { chunkHtml, chunksOver, cutText, assignLevels } from "../../src/text/layout";
import { parseEntityLabels, parseNameList } from "../../src/text/labels";
import { TextModel, type Entity } from "../../src/text/model";
import { OffsetIndex } from "../../src/text/offsets";
import { parseTextValue } from "../../src/text/value";

const TEXT = "😀 Barack Obama visited Paris.";
const ix = new OffsetIndex(TEXT);
const at = (s: string): [number, number] => [TEXT.indexOf(s), TEXT.indexOf(s) + s.length];

function model(): TextModel {
  return new TextModel(TEXT);
}

describe("TextModel", () => {
  it("outputs code point offsets sorted by (start, end, label), keys in the contract's order", () => {
    const m = model();
    m.addEntity("LOC", ...at("Paris"));
    m.addEntity("PER", ...at("Barack Obama"));
    m.addEntity("ORG", ...at("Barack Obama"));
    const out = m.output(ix);
    expect(out).toEqual({
      entities: [
        { label: "ORG", startOffset: 2, endOffset: 14, id: "e3" },
        { label: "PER", startOffset: 2, endOffset: 14, id: "e2" },
        { label: "LOC", startOffset: 23, endOffset: 28, id: "e1" },
      ],
    });
    expect(Object.keys((out.entities as object[])[0]!)).toEqual(["label", "startOffset", "endOffset", "id"]);
    expect(Array.from(TEXT).slice(23, 28).join("")).toBe("Paris");
  });

  it("refuses an exact duplicate and an empty span; allows overlap and nesting", () => {
    const m = model();
    expect(m.addEntity("PER", ...at("Barack Obama"))).not.toBeNull();
    expect(m.addEntity("PER", ...at("Barack Obama"))).toBeNull();
    expect(m.addEntity("PER", 5, 5)).toBeNull();
    expect(m.addEntity("PER", ...at("Obama"))).not.toBeNull();
    expect(m.addEntity("LOC", ...at("Obama visited"))).not.toBeNull();
    expect(m.size).toBe(3);
  });

  it("undoes and redoes add, relabel, delete (with its relations) and document labels", () => {
    const m = model();
    const a = m.addEntity("PER", ...at("Barack Obama"))!;
    const b = m.addEntity("LOC", ...at("Paris"))!;
    m.addRelation("visited", a.id, b.id);
    expect(m.relabel(b.id, "GPE")).toBe(true);
    m.setDocumentLabels(["politics"]);
    m.removeEntities([a.id]);
    expect(m.relations).toEqual([]);
    expect(m.undo()).toEqual([a]);
    expect(m.relations).toEqual([{ label: "visited", from: a.id, to: b.id }]);
    m.undo();
    expect(m.documentLabels).toEqual([]);
    m.undo();
    expect(m.entity(b.id)!.label).toBe("LOC");
    m.redo();
    expect(m.entity(b.id)!.label).toBe("GPE");
    expect(m.undoTitle).toBe("Relabel LOC as GPE");
    m.addEntity("X", 0, 2); // a new step drops the redo stack
    expect(m.canRedo).toBe(false);
  });

  it("marks a model's proposal edited when relabelled, keeping its source", () => {
    const m = model();
    const parsed = parseTextValue({ entities: [{ label: "PER", startOffset: 2, endOffset: 14, source: "model", model: "spacy", score: 0.8 }] }, ix);
    m.load(parsed.value);
    m.relabel("e1", "ORG");
    expect((m.output(ix).entities as object[])[0]).toEqual({
      label: "ORG", startOffset: 2, endOffset: 14, id: "e1", source: "model", model: "spacy", score: 0.8, edited: true,
    });
  });

  it("emits the touched entities, before and after, for the view's partial re-render", () => {
    const m = model();
    const seen: Entity[][] = [];
    m.subscribe((e) => e.kind === "change" && seen.push([...e.entities]));
    const a = m.addEntity("PER", ...at("Barack Obama"))!;
    m.relabel(a.id, "ORG");
    expect(seen[1]!.map((e) => e.label)).toEqual(["PER", "ORG"]);
  });
});

describe("parseTextValue", () => {
  it("reads code points into UTF-16, assigns missing ids and names every bad entry", () => {
    const p = parseTextValue(
      {
        entities: [
          { label: "PER", startOffset: 2, endOffset: 14 },
          { label: "LOC", startOffset: 23, endOffset: 28, id: "e1" },
          { label: "PER", startOffset: 2, endOffset: 14 },
          { label: "X", startOffset: 5, endOffset: 99 },
          { startOffset: 1, endOffset: 2 },
          { label: "Y", startOffset: 3, endOffset: 3 },
        ],
        relations: [{ label: "visited", from: "e2", to: "e1" }, { label: "r", from: "e2", to: "e9" }],
        documentLabels: ["news"],
      },
      ix,
    );
    expect(p.value.entities.map((e) => [e.id, e.label, e.start, e.end])).toEqual([
      ["e2", "PER", 3, 15],
      ["e1", "LOC", 24, 29],
    ]);
    expect(TEXT.slice(3, 15)).toBe("Barack Obama");
    expect(p.value.relations).toEqual([{ label: "visited", from: "e2", to: "e1" }]);
    expect(p.value.documentLabels).toEqual(["news"]);
    expect(p.problems).toEqual([
      "entities[3].endOffset 99 is past the end of the text (29)",
      "entities[4].label is missing",
      "entities[5].endOffset must be a whole number greater than startOffset",
      "entities[2] repeats an entity (same label and offsets)",
      'relations[1].to names no entity ("e9")',
    ]);
  });

  it("accepts a bare list of entities (Ground Truth's initial-value)", () => {
    expect(parseTextValue([{ label: "A", startOffset: 0, endOffset: 1 }], ix).value.entities).toHaveLength(1);
  });
});

describe("layout", () => {
  it("cuts paragraphs at newlines and long ones into chunks at spaces", () => {
    const t = `one two\n\n${"word ".repeat(1000)}end`;
    const cut = cutText(t, 2000);
    expect(cut.paragraphs.map((p) => t.slice(p.start, p.end).length)).toEqual([7, 0, 5003]);
    const long = cut.chunks.filter((c) => c.paragraph === 2);
    expect(long.length).toBe(3);
    for (const c of long.slice(0, -1)) expect(t[c.end - 1]).toBe(" ");
    expect(chunksOver(cut.chunks, 0, 3)).toEqual([0]);
    expect(chunksOver(cut.chunks, 5, t.length)).toEqual(cut.chunks.map((c) => c.index));
  });

  it("stacks nested and overlapping spans on separate levels, disjoint ones on the same", () => {
    const e = (id: string, start: number, end: number): Entity => ({ id, label: "L", start, end, extra: {} });
    const levels = assignLevels([e("outer", 0, 12), e("inner", 7, 12), e("over", 7, 20), e("later", 14, 18), e("after", 30, 35)]);
    expect(Object.fromEntries(levels)).toEqual({ outer: 0, inner: 2, over: 1, later: 0, after: 0 });
  });

  it("draws flat segments with their UTF-16 start, tags with short names, escaped text", () => {
    const t = "<b>Obama</b> & Paris";
    const cut = cutText(t);
    const spans: Entity[] = [{ id: "e1", label: "person", start: 3, end: 8, extra: {} }];
    const html = chunkHtml(t, cut.chunks[0]!, spans, {
      colour: () => "#2ca02c", short: () => "PER", selectedId: null, related: new Set(), hoverId: null,
    });
    expect(html).toContain('<span class="s" data-s="0">&lt;b&gt;</span>');
    expect(html).toContain('data-s="3" data-tags="PER"');
    expect(html).toContain('<span class="s" data-s="8">&lt;/b&gt; &amp; Paris</span>');
    expect(html).not.toMatch(/<span[^>]*><span/); // never nested
  });

  it("draws a model's untouched proposal dashed, an edited one solid", () => {
    const t = "Obama";
    const cut = cutText(t);
    const style = { colour: () => "#2ca02c", short: () => "PER", selectedId: null, related: new Set<string>(), hoverId: null };
    const proposal: Entity = { id: "e1", label: "person", start: 0, end: 5, extra: { source: "model", model: "spacy" } };
    expect(chunkHtml(t, cut.chunks[0]!, [proposal], style)).toContain("repeating-linear-gradient");
    const edited: Entity = { ...proposal, extra: { ...proposal.extra, edited: true } };
    expect(chunkHtml(t, cut.chunks[0]!, [edited], style)).not.toContain("repeating-linear-gradient");
  });
});

describe("labels", () => {
  it("reads strings, GT objects with display names, own keys, and label-category files", () => {
    const { labels, problems } = parseEntityLabels(
      JSON.stringify([{ label: "person", shortDisplayName: "PER", fullDisplayName: "Person" }, { label: "place", key: "p" }, "misc", { label: "x", key: "z" }]),
    );
    expect(labels.map((l) => [l.label, l.short, l.full, l.key])).toEqual([
      ["person", "PER", "Person", null],
      ["place", "place", "place", "p"],
      ["misc", "misc", "misc", null],
      ["x", "x", "x", null],
    ]);
    expect(problems).toEqual(['labels[3].key "z" is taken or not one letter']);
    expect(parseEntityLabels('{"labels": [{"label": "a"}]}').labels[0]!.label).toBe("a");
    expect(parseNameList("['works_for', 'located_in']")).toEqual(["works_for", "located_in"]);
  });
});
