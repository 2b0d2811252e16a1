import { describe, expect, it } from "vitest";
import { parseAttributeLiteral, parseLooseJson } from "../../src/lib/loose-json";

describe("parseLooseJson", () => {
  it("reads strict JSON", () => {
    expect(parseLooseJson('["a", "b", 1, true, null, {"k": [2.5e1]}]')).toEqual(["a", "b", 1, true, null, { k: [25] }]);
  });

  it("reads Ground Truth's single-quoted arrays and unquoted keys", () => {
    expect(parseLooseJson("['Cat', 'Dog', 'None of the Above']")).toEqual(["Cat", "Dog", "None of the Above"]);
    expect(parseLooseJson("{ text: 'None of the above' }")).toEqual({ text: "None of the above" });
  });

  it("accepts trailing commas and escapes", () => {
    expect(parseLooseJson("{ a: ['it\\'s', \"q\\\"\", '\\u00e9',], }")).toEqual({ a: ["it's", 'q"', "é"] });
  });

  it("keeps __proto__ as a plain key", () => {
    const v = parseLooseJson("{__proto__: {polluted: true}}") as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });

  it.each(["", "[", "['a'", "{a 1}", "['a'] x", "alert(1)", "[1,,2]"])("rejects %j", (text) => {
    expect(() => parseLooseJson(text)).toThrow();
  });

  it("parseAttributeLiteral tries JSON first", () => {
    expect(parseAttributeLiteral('"x"')).toBe("x");
    expect(parseAttributeLiteral("'x'")).toBe("x");
  });
});
