import { describe, expect, it } from "vitest";
import { isJsonValue } from "../../src/lib/json";
import { MAX_FRAME_HEIGHT, isValidNonce, parseFrameMessage, parseHostMessage, withNonce } from "../../src/lib/protocol";

const nonce = "5f0c1e2a-7b8d-4c3e-9f10-abcdef012345";

describe("nonces", () => {
  it("accepts UUIDs, rejects junk", () => {
    expect(isValidNonce(nonce)).toBe(true);
    expect(isValidNonce("")).toBe(false);
    expect(isValidNonce("short")).toBe(false);
    expect(isValidNonce("has space 12345")).toBe(false);
    expect(isValidNonce(12345678)).toBe(false);
  });
});

describe("parseFrameMessage (host side)", () => {
  it("accepts each frame message", () => {
    expect(parseFrameMessage({ type: "lw:ready", nonce, height: 412.3 }, nonce)).toEqual({ type: "lw:ready", height: 413 });
    expect(parseFrameMessage({ type: "lw:resize", nonce, height: 10 }, nonce)).toEqual({ type: "lw:resize", height: 10 });
    expect(parseFrameMessage({ type: "lw:change", nonce, value: { c: { label: "a" } } }, nonce)).toEqual({
      type: "lw:change",
      value: { c: { label: "a" } },
    });
    expect(parseFrameMessage({ type: "lw:submit", nonce, value: {} }, nonce)).toEqual({ type: "lw:submit", value: {} });
    expect(parseFrameMessage({ type: "lw:skip", nonce }, nonce)).toEqual({ type: "lw:skip" });
    expect(parseFrameMessage({ type: "lw:activity", nonce }, nonce)).toEqual({ type: "lw:activity" });
  });

  it("drops the wrong nonce, a missing nonce, unknown types and host messages", () => {
    expect(parseFrameMessage({ type: "lw:skip", nonce: "0000000000000000" }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:skip" }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:skip", nonce: "" }, "")).toBeNull();
    expect(parseFrameMessage({ type: "lw:nope", nonce }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:init", nonce, draft: null }, nonce)).toBeNull();
    expect(parseFrameMessage("lw:skip", nonce)).toBeNull();
    expect(parseFrameMessage(null, nonce)).toBeNull();
    expect(parseFrameMessage([{ type: "lw:skip", nonce }], nonce)).toBeNull();
  });

  it("drops bad payloads", () => {
    expect(parseFrameMessage({ type: "lw:ready", nonce }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:ready", nonce, height: -1 }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:ready", nonce, height: Number.NaN }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:resize", nonce, height: "10" }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:submit", nonce, value: [1] }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:submit", nonce, value: "x" }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:submit", nonce, value: { d: new Date() } }, nonce)).toBeNull();
    expect(parseFrameMessage({ type: "lw:change", nonce, value: { n: Infinity } }, nonce)).toBeNull();
  });

  it("clamps absurd heights", () => {
    expect(parseFrameMessage({ type: "lw:resize", nonce, height: 1e9 }, nonce)).toEqual({ type: "lw:resize", height: MAX_FRAME_HEIGHT });
  });
});

describe("parseHostMessage (frame side)", () => {
  it("accepts init and forwarded keys", () => {
    expect(parseHostMessage({ type: "lw:init", nonce, draft: null }, nonce)).toEqual({ type: "lw:init", draft: null });
    expect(parseHostMessage({ type: "lw:init", nonce }, nonce)).toEqual({ type: "lw:init", draft: null });
    expect(parseHostMessage({ type: "lw:init", nonce, draft: { c: { labels: [] } } }, nonce)).toEqual({
      type: "lw:init",
      draft: { c: { labels: [] } },
    });
    expect(parseHostMessage({ type: "lw:key", nonce, key: "3" }, nonce)).toEqual({ type: "lw:key", key: "3" });
    expect(parseHostMessage({ type: "lw:key", nonce, key: "Enter" }, nonce)).toEqual({ type: "lw:key", key: "Enter" });
  });

  it("drops keys outside the hotkey set and bad drafts", () => {
    expect(parseHostMessage({ type: "lw:key", nonce, key: "a" }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:key", nonce, key: 1 }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:init", nonce, draft: "x" }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:init", nonce: "wrong-nonce-123", draft: null }, nonce)).toBeNull();
    expect(parseHostMessage({ type: "lw:submit", nonce, value: {} }, nonce)).toBeNull();
  });

  it("withNonce stamps the nonce", () => {
    expect(withNonce({ type: "lw:skip" }, nonce)).toEqual({ type: "lw:skip", nonce });
  });
});

describe("isJsonValue", () => {
  it("refuses cycles, class instances and deep nesting", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(isJsonValue(cyclic)).toBe(false);
    expect(isJsonValue(new Map())).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = [deep];
    expect(isJsonValue(deep)).toBe(false);
    expect(isJsonValue({ a: [1, "b", null, true, { c: 2 }] })).toBe(true);
    expect(isJsonValue(Object.create(null))).toBe(true);
  });
});
