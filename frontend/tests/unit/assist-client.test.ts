import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AssistError,
  NO_PAGE_MESSAGE,
  assist,
  assistAvailable,
  frameAssistChannel,
  parseAssistResult,
  regionBox,
  regionPolygon,
  setAssistTransport,
} from "../../src/lib/assist-client";
import type { JsonValue } from "../../src/lib/json";
import { parseFrameMessage, parseHostMessage, type AssistRequest } from "../../src/lib/protocol";

const nonce = "5f0c1e2a-7b8d-4c3e-9f10-abcdef012345";

const RESULT = {
  assist: "grabcut",
  model: "opencv-grabcut-4.10",
  seconds: 0.1,
  regions: [
    { kind: "mask", width: 4, height: 3, png: "iVBOR", source: "model" },
    { kind: "polygon", points: [{ x: 1, y: 1 }, { x: 3, y: 1 }, { x: 2, y: 2 }], source: "model", label: "person" },
  ],
};

describe("protocol: lw:assist (frame → host)", () => {
  it("accepts a run and a list request", () => {
    expect(parseFrameMessage({ type: "lw:assist", nonce, id: 3, name: "grabcut", params: { box: { left: 1 } } }, nonce)).toEqual({
      type: "lw:assist",
      id: 3,
      name: "grabcut",
      params: { box: { left: 1 } },
    });
    expect(parseFrameMessage({ type: "lw:assist", nonce, id: 0, name: null, params: {} }, nonce)).toEqual({ type: "lw:assist", id: 0, name: null, params: {} });
  });

  it("drops bad ids, names that are not assist names, and non-object params", () => {
    const ok = { type: "lw:assist", nonce, id: 1, name: "faces", params: {} };
    expect(parseFrameMessage({ ...ok, nonce: "0000000000000000" }, nonce)).toBeNull();
    for (const id of [-1, 1.5, "1", null]) expect(parseFrameMessage({ ...ok, id }, nonce)).toBeNull();
    for (const name of ["../users", "Faces", "", 7, "a".repeat(65)]) expect(parseFrameMessage({ ...ok, name }, nonce)).toBeNull();
    for (const params of [[], "x", null]) expect(parseFrameMessage({ ...ok, params }, nonce)).toBeNull();
    expect(parseHostMessage(ok, nonce)).toBeNull(); // not a host message
  });
});

describe("protocol: lw:assist-result (host → frame)", () => {
  it("accepts an answer and an error", () => {
    expect(parseHostMessage({ type: "lw:assist-result", nonce, id: 2, ok: true, result: RESULT }, nonce)).toEqual({
      type: "lw:assist-result",
      id: 2,
      ok: true,
      result: RESULT,
    });
    expect(parseHostMessage({ type: "lw:assist-result", nonce, id: 2, ok: false, error: { message: "no", field: "params.box" } }, nonce)).toEqual({
      type: "lw:assist-result",
      id: 2,
      ok: false,
      error: { message: "no", field: "params.box" },
    });
  });

  it("drops malformed answers", () => {
    expect(parseHostMessage({ type: "lw:assist-result", nonce, id: 2, ok: true, result: () => 1 }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:assist-result", nonce, id: 2, ok: false, error: "no" }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:assist-result", nonce, id: 2, ok: "yes", result: 1 }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:assist-result", nonce, ok: true, result: 1 }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:assist-result", nonce, id: 2, ok: true, result: 1 }, nonce)).toBeNull();
  });
});

describe("assist()", () => {
  afterEach(() => setAssistTransport(null));

  it("rejects clearly outside the labeling page, and lists nothing", async () => {
    await expect(assist("faces", {})).rejects.toThrow(NO_PAGE_MESSAGE);
    await expect(assistAvailable()).resolves.toEqual([]);
  });

  it("goes through the transport and checks the answer", async () => {
    const calls: [string | null, unknown][] = [];
    setAssistTransport(async (name, params) => {
      calls.push([name, params]);
      return (name === null ? [{ name: "grabcut", title: "Auto-segment", kinds: ["mask", "polygon"], needs: "box", model: "m" }] : RESULT) as JsonValue;
    });
    const result = await assist("grabcut", { box: { left: 1, top: 2, width: 3, height: 4 } });
    expect(result.regions.map((r) => r.kind)).toEqual(["mask", "polygon"]);
    expect(result.regions[1]).toMatchObject({ source: "model", label: "person" });
    expect(await assistAvailable()).toEqual([{ name: "grabcut", title: "Auto-segment", kinds: ["mask", "polygon"], needs: "box", model: "m" }]);
    expect(calls).toEqual([["grabcut", { box: { left: 1, top: 2, width: 3, height: 4 } }], [null, {}]]);
  });

  it("names what is malformed", () => {
    expect(() => parseAssistResult({ ...RESULT, regions: [{ kind: "box", left: 1, top: 2, width: "w", height: 1 }] })).toThrow(/regions\[0\]\.width/);
    expect(() => parseAssistResult({ ...RESULT, regions: [{ kind: "blob" }] })).toThrow(/"blob" is unknown/);
  });
});

describe("frameAssistChannel", () => {
  it("pairs answers with requests by id and passes server errors on with their field", async () => {
    const sent: AssistRequest[] = [];
    const channel = frameAssistChannel((m) => sent.push(m));
    const first = channel.transport("grabcut", { x: 1 });
    const second = channel.transport("faces", {});
    expect(sent.map((m) => [m.id, m.name])).toEqual([[1, "grabcut"], [2, "faces"]]);
    channel.answer({ type: "lw:assist-result", id: 2, ok: false, error: { message: "bad box", field: "params.box" } });
    channel.answer({ type: "lw:assist-result", id: 1, ok: true, result: { a: 1 } });
    await expect(first).resolves.toEqual({ a: 1 });
    const err = await second.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssistError);
    expect((err as AssistError).field).toBe("params.box");
  });

  it("times out a request nobody answers", async () => {
    vi.useFakeTimers();
    try {
      const channel = frameAssistChannel(() => undefined, 1000);
      const pending = channel.transport("faces", {});
      vi.advanceTimersByTime(1001);
      await expect(pending).rejects.toThrow("did not answer within 1 s");
      channel.answer({ type: "lw:assist-result", id: 1, ok: true, result: 1 }); // late: ignored
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("region geometry", () => {
  it("turns polygons into boxes and boxes into polygons", () => {
    const poly = parseAssistResult(RESULT).regions[1]!;
    expect(regionBox(poly)).toEqual({ left: 1, top: 1, width: 2, height: 1 });
    const box = { kind: "box", left: 10, top: 20, width: 5, height: 6, source: "model" } as const;
    expect(regionPolygon(box)).toEqual([{ x: 10, y: 20 }, { x: 15, y: 20 }, { x: 15, y: 26 }, { x: 10, y: 26 }]);
    expect(regionBox(parseAssistResult(RESULT).regions[0]!)).toBeNull();
  });
});

describe("text regions", () => {
  const TEXT_RESULT = { assist: "spacy-ner", model: "en_core_web_sm-3.8", seconds: 0.01, regions: [] as unknown[] };
  const parse = (...regions: unknown[]) => parseAssistResult({ ...TEXT_RESULT, regions }).regions;

  it("reads spans (code point offsets, label optional) and document label suggestions", () => {
    expect(parse({ kind: "span", startOffset: 0, endOffset: 8, label: "person", text: "Tim Cook", score: 0.9 })).toEqual([
      { kind: "span", startOffset: 0, endOffset: 8, label: "person", text: "Tim Cook", score: 0.9, source: "model" },
    ]);
    expect(parse({ kind: "span", startOffset: 3, endOffset: 4 })).toEqual([{ kind: "span", startOffset: 3, endOffset: 4, source: "model" }]);
    expect(parse({ kind: "label", label: "sports", score: 0.7 })).toEqual([{ kind: "label", label: "sports", score: 0.7, source: "model" }]);
    expect(regionBox(parse({ kind: "span", startOffset: 0, endOffset: 1 })[0]!)).toBeNull();
  });

  it("names the field of a bad span or label", () => {
    const span = { kind: "span", startOffset: 2, endOffset: 5, label: "person" };
    expect(() => parse({ ...span, startOffset: -1 })).toThrow(/regions\[0\]\.startOffset is not a whole number/);
    expect(() => parse({ ...span, startOffset: 1.5 })).toThrow(/regions\[0\]\.startOffset/);
    expect(() => parse(span, { ...span, endOffset: "5" })).toThrow(/regions\[1\]\.endOffset is not a whole number/);
    expect(() => parse({ ...span, endOffset: 2 })).toThrow(/regions\[0\]\.endOffset is not after startOffset/);
    expect(() => parse({ ...span, label: 7 })).toThrow(/regions\[0\]\.label is not a string/);
    expect(() => parse({ kind: "label" })).toThrow(/regions\[0\]\.label is not a string/);
    expect(() => parse({ kind: "label", label: ["a"] })).toThrow(/regions\[0\]\.label/);
  });
});
