import { afterEach, describe, expect, it } from "vitest";
import {
  GenerateCancelled,
  GenerateError,
  NO_PAGE_MESSAGE,
  frameGenerateChannel,
  generate,
  listModels,
  parseModelInfos,
  setGenerateTransport,
} from "../../src/lib/generate-client";
import { answerGenerate, cancelAllGenerations, cancelGenerate, sseEvents } from "../../src/host/generate-host";
import type { LabelingApi } from "../../src/host/api";
import type { FrameSlot } from "../../src/host/frame-slot";
import { parseFrameMessage, parseHostMessage, type GenerateCancel, type GenerateRequest } from "../../src/lib/protocol";

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

  it("lw:generate-cancel carries the request id only", () => {
    expect(parseFrameMessage({ type: "lw:generate-cancel", nonce, id: 7 }, nonce)).toEqual({ type: "lw:generate-cancel", id: 7 });
    expect(parseFrameMessage({ type: "lw:generate-cancel", nonce, id: 7, extra: "x" }, nonce)).toEqual({ type: "lw:generate-cancel", id: 7 });
    expect(parseFrameMessage({ type: "lw:generate-cancel", nonce, id: "7" }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:generate-cancel", nonce, id: -1 }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:generate-cancel", nonce: "another-nonce-123", id: 7 }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:generate-cancel", nonce, id: 7 }, nonce)).toBeNull(); // frame → host only
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
    const sent: (GenerateRequest | GenerateCancel)[] = [];
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
    const sent: (GenerateRequest | GenerateCancel)[] = [];
    const channel = frameGenerateChannel((m) => sent.push(m));
    setGenerateTransport(channel.transport);
    const reply = generate(1, [{ role: "user", content: "x" }]);
    channel.answer({ type: "lw:generate-done", id: sent[0]!.id, ok: false, error: { message: "the model answered HTTP 500", generation_id: 4 } as never });
    const err = await reply.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateError);
    expect((err as GenerateError).message).toBe("the model answered HTTP 500");
    expect((err as GenerateError).generationId).toBe(4);
  });

  it("an aborted signal sends lw:generate-cancel, rejects at once and drops what still comes", async () => {
    const sent: (GenerateRequest | GenerateCancel)[] = [];
    const channel = frameGenerateChannel((m) => sent.push(m));
    setGenerateTransport(channel.transport);
    const stop = new AbortController();
    const chunks: string[] = [];
    const reply = generate("model-a", [{ role: "user", content: "Hello" }], { onChunk: (t) => chunks.push(t), signal: stop.signal });
    const id = sent[0]!.id;
    channel.answer({ type: "lw:generate-chunk", id, text: "Hi" });
    stop.abort();
    stop.abort(); // a second abort sends nothing more
    expect(sent).toEqual([sent[0], { type: "lw:generate-cancel", id }]);
    const err = await reply.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateCancelled);
    expect(err).toBeInstanceOf(GenerateError); // callers that catch GenerateError keep working
    channel.answer({ type: "lw:generate-chunk", id, text: " there" });
    channel.answer({ type: "lw:generate-done", id, ok: true, result: DONE });
    expect(chunks).toEqual(["Hi"]);
  });

  it("an abort after the end, or before the start, sends no cancel", async () => {
    const sent: (GenerateRequest | GenerateCancel)[] = [];
    const channel = frameGenerateChannel((m) => sent.push(m));
    setGenerateTransport(channel.transport);
    const late = new AbortController();
    const reply = generate(1, [{ role: "user", content: "x" }], { signal: late.signal });
    channel.answer({ type: "lw:generate-done", id: sent[0]!.id, ok: true, result: DONE });
    expect((await reply).generationId).toBe(9);
    late.abort();
    const early = new AbortController();
    early.abort();
    await expect(generate(1, [{ role: "user", content: "x" }], { signal: early.signal })).rejects.toBeInstanceOf(GenerateCancelled);
    expect(sent.map((m) => m.type)).toEqual(["lw:generate"]);
  });

  it("the model list says per model whether this worker may generate, and why not", () => {
    expect(parseModelInfos([
      { id: 1, name: "open", kind: "python", model: "echo", may_generate: true, generate_refusal: null },
      { id: 2, name: "leads", kind: "openai", model: "m", may_generate: false, generate_refusal: "leads: only manager may generate with this model (you are annotator)" },
      { id: 3, name: "older-server", kind: "openai", model: "m" },
      { id: 4, name: "no-reason", kind: "openai", model: "m", may_generate: false },
    ]).map((m) => [m.name, m.mayGenerate, m.refusal])).toEqual([
      ["open", true, null],
      ["leads", false, "leads: only manager may generate with this model (you are annotator)"],
      ["older-server", true, null],
      ["no-reason", false, "you may not generate with this model"],
    ]);
  });

  it("gives up on a reply that never ends", async () => {
    const sent: (GenerateRequest | GenerateCancel)[] = [];
    const channel = frameGenerateChannel((m) => sent.push(m), 20);
    setGenerateTransport(channel.transport);
    await expect(generate(1, [{ role: "user", content: "x" }])).rejects.toThrow("did not finish within");
    expect(sent.map((m) => m.type)).toEqual(["lw:generate", "lw:generate-cancel"]); // the page stops it too
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

describe("generate-host: Stop aborts the page's request", () => {
  /** A generate endpoint the test drives: it streams what the test enqueues until its request is aborted. */
  function fakePage() {
    const sent: { type: string; id: number; ok?: boolean }[] = [];
    const requests: { signal: AbortSignal | undefined; push(text: string): void }[] = [];
    const api = {
      models: async () => [{ id: 4, name: "model-a", kind: "openai", model: "m" }],
      generate: async (_p: number, _c: number, _b: unknown, signal?: AbortSignal) => {
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
        signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        requests.push({ signal, push: (text) => controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify({ type: "chunk", text })}\n\n`)) });
        return body;
      },
    };
    const slot = { task: { project_id: 1, item_id: 2 }, send: (m: { type: string; id: number; ok?: boolean }) => sent.push(m) };
    return { api: api as unknown as LabelingApi, slot: slot as unknown as FrameSlot, sent, requests };
  }
  const request = (id: number): GenerateRequest => ({ type: "lw:generate", id, model: "model-a", messages: [{ role: "user", content: "Hi" }], params: {} });
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it("lw:generate-cancel aborts that request's fetch and nothing more is relayed", async () => {
    const { api, slot, sent, requests } = fakePage();
    const relayed = answerGenerate(api, slot, request(1));
    await tick();
    requests[0]!.push("Hel");
    await tick();
    expect(sent).toEqual([{ type: "lw:generate-chunk", id: 1, text: "Hel" }]);
    cancelGenerate(slot, { type: "lw:generate-cancel", id: 2 }); // another id: nothing happens
    expect(requests[0]!.signal?.aborted).toBe(false);
    cancelGenerate(slot, { type: "lw:generate-cancel", id: 1 });
    expect(requests[0]!.signal?.aborted).toBe(true);
    await relayed;
    expect(sent.map((m) => m.type)).toEqual(["lw:generate-chunk"]); // no done: the frame waits for nothing
  });

  it("a frame that goes away has all its replies aborted", async () => {
    const { api, slot, requests } = fakePage();
    const both = [answerGenerate(api, slot, request(1)), answerGenerate(api, slot, request(2))];
    await tick();
    cancelAllGenerations(slot);
    await Promise.all(both);
    expect(requests.map((r) => r.signal?.aborted)).toEqual([true, true]);
  });
});
