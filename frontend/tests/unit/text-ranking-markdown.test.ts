import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown } from "../../src/elements/text-ranking/markdown";

describe("markdown subset", () => {
  it("parses blocks", () => {
    const blocks = parseMarkdown("# Title\n\nFirst line\nsecond line\n\n- a\n- **b**\n\n1. one\n2. two\n\n> quoted\n\n```py\nx = 1 < 2\n```");
    expect(blocks.map((b) => b.kind)).toEqual(["heading", "paragraph", "list", "list", "quote", "code"]);
    expect(blocks[1]).toEqual({ kind: "paragraph", children: [
      { kind: "text", text: "First line" }, { kind: "br" }, { kind: "text", text: "second line" }] });
    expect(blocks[3]).toMatchObject({ kind: "list", ordered: true });
    expect(blocks[5]).toEqual({ kind: "code", lang: "py", text: "x = 1 < 2" });
  });

  it("parses inline marks and leaves snake_case and markup as text", () => {
    expect(parseInline("use `a<b>` and **bold *it* now** or _em_")).toEqual([
      { kind: "text", text: "use " }, { kind: "code", text: "a<b>" }, { kind: "text", text: " and " },
      { kind: "strong", children: [{ kind: "text", text: "bold " }, { kind: "em", children: [{ kind: "text", text: "it" }] },
        { kind: "text", text: " now" }] },
      { kind: "text", text: " or " }, { kind: "em", children: [{ kind: "text", text: "em" }] }]);
    expect(parseInline("snake_case_name calls __init__ and __repr__ <img src=x onerror=alert(1)>")).toEqual([
      { kind: "text", text: "snake_case_name calls __init__ and __repr__ <img src=x onerror=alert(1)>" }]);
    expect(parseInline("[docs](https://example.org)")).toEqual([
      { kind: "link", href: "https://example.org", children: [{ kind: "text", text: "docs" }] }]);
  });
});
