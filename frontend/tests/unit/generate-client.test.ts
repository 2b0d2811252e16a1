import { afterEach, describe, expect, it } from "vitest";
import {
  GenerateError,
  NO_PAGE_MESSAGE,
  frameGenerateChannel,
  generate,
  listModels,
  setGenerateTransport,
} from "../../src/lib/generate-client";
import { sseEvents } from "../../src/host/generate-host";
import { parseFrameMessage, parseHostMessage, type GenerateRequest } from "../../src/lib/protocol";

const nonce = "5f0c1e2a-7b8d-4c3e-9f10-abcdef012345";
const DONE = { type: "done", generation_id: 9, model: "model-a", text: "Hi there", finish_reason: "stop", latency_ms: 40, first_token_ms: 12, prompt_tokens: 3, completion_tokens: 2 };

describe("protocol: lw:generate", () => {
  it("accepts a request by id, by name, and a list request", () => {
    const msgs = [{ role: "user", content: "Hello" }];
    expect(parseFrameMessage({ type: "lw:generate", nonce, id: 1, model: 4, messages: msgs, params: {} }, nonce)).toEqual({
      type: "lw:generate", id: 1, model: 4, messages: msgs, params: {},
    });
    expect(parseFrameMessage({ type: "lw:generate", nonce, id: 2, model: "model-a", messages: msgs, params: { temperature: 0 } }, nonce)?.type).toBe("lw:generate");
    expect(parseFrameMessage({ type: "lw:generate", nonce, id: 3, model: null, messages: [], params: {} }, nonce)?.type).toBe("lw:generate");
  });

  it("drops bad roles, bad names, non-string content and a wrong nonce", () => {
    const base = { type: "lw:generate", nonce, id: 1, model: 4, params: {} };
    expect(parseFrameMessage({ ...base, messages: [{ role: "root", content: "x" }] }, nonce)).toBeNull();
    expect(parseFrameMessage({ ...base, messages: [{ role: "user", content: 5 }] }, nonce)).toBeNull();
    expect(parseFrameMessage({ ...base, model: "<script>", messages: [] }, nonce)).toBeNull();
    expect(parseFrameMessage({ ...base, messages: [], nonce: "another-nonce-123" }, nonce)).toBeNull();
  });

  it("host → frame: chunks and the end", () => {
    expect(parseHostMessage({ type: "lw:generate-chunk", nonce, id: 1, text: "Hi" }, nonce)).toEqual({ type: "lw:generate-chunk", id: 1, text: "Hi" });
    expect(parseHostMessage({ type: "lw:generate-chunk", nonce, id: 1, text: 3 }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:generate-done", nonce, id: 1, ok: true, result: DONE }, nonce)?.type).toBe("lw:generate-done");
    expect(parseHostMessage({ type: "lw:generate-done", nonce, id: 1, ok: false, error: { message: "HTTP 500", field: "model" } }, nonce)).toEqual({
      type: "lw:generate-done", id: 1, ok: false, error: { message: "HTTP 500", field: "model" },
    });
    expect(parseHostMessage({ type: "lw:generate-done", nonce, id: 1, ok: false, error: {} }, nonce)).toBeNull();
  });
});

describe("generate-client", () => {
  afterEach(() => setGenerateTransport(null));

  it("outside the labeling page it says so", async () => {
    await expect(generate(1, [{ role: "user", content: "x" }])).rejects.toThrow(NO_PAGE_MESSAGE);
    expect(await listModels()).toEqual([]);
  });

  it("streams chunks in order to onChunk, then resolves with the stored record", async () => {
    const sent: GenerateRequest[] = [];
    const channel = frameGenerateChannel((m) => sent.push(m));
    setGenerateTransport(channel.transport);
    const chunks: string[] = [];
    const reply = generate("model-a", [{ role: "user", content: "Hello" }], { params: { max_tokens: 5 }, onChunk: (t) => chunks.push(t) });
    expect(sent[0]).toMatchObject({ type: "lw:generate", model: "model-a", params: { max_tokens: 5 } });
    const id = sent[0]!.id;
    channel.answer({ type: "lw:generate-chunk", id, text: "Hi" });
    channel.answer({ type: "lw:generate-chunk", id: id + 1, text: "not ours" });
    channel.answer({ type: "lw:generate-chunk", id, text: " there" });
    channel.answer({ type: "lw:generate-done", id, ok: true, result: DONE });
    const result = await reply;
    expect(chunks).toEqual(["Hi", " there"]);
    expect(result).toMatchObject({ generationId: 9, text: "Hi there", finishReason: "stop", firstTokenMs: 12, completionTokens: 2 });
  });

  it("an error names the stored failed generation", async () => {
    const sent: GenerateRequest[] = [];
    const channel = frameGenerateChannel((m) => sent.push(m));
    setGenerateTransport(channel.transport);
    const reply = generate(1, [{ role: "user", content: "x" }]);
    channel.answer({ type: "lw:generate-done", id: sent[0]!.id, ok: false, error: { message: "the model answered HTTP 500", generation_id: 4 } as never });
    const err = await reply.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateError);
    expect((err as GenerateError).message).toBe("the model answered HTTP 500");
    expect((err as GenerateError).generationId).toBe(4);
  });

  it("gives up on a reply that never ends", async () => {
    const channel = frameGenerateChannel(() => undefined, 20);
    setGenerateTransport(channel.transport);
    await expect(generate(1, [{ role: "user", content: "x" }])).rejects.toThrow("did not finish within");
  });
});

describe("sseEvents (host side)", () => {
  it("splits data lines across arbitrary chunk boundaries and skips comments", async () => {
    const text = ': keep-alive\n\ndata: {"type":"chunk","text":"a"}\n\ndata: {"type":"chunk","text":"é"}\r\n\r\ndata: {"type":"done"}\n\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
        c.close();
      },
    });
    const out: unknown[] = [];
    for await (const e of sseEvents(body)) out.push(e);
    expect(out).toEqual([{ type: "chunk", text: "a" }, { type: "chunk", text: "é" }, { type: "done" }]);
  });
});
