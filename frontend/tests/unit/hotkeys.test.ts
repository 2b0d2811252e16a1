import { describe, expect, it } from "vitest";
import { hotkeyAction, hotkeyLabel, isTypingTarget } from "../../src/lib/hotkeys";

describe("hotkeyAction", () => {
  it.each([
    ["1", { kind: "choose", index: 0 }],
    ["9", { kind: "choose", index: 8 }],
    ["0", { kind: "exclusion" }],
    ["Enter", { kind: "submit" }],
    ["s", { kind: "skip" }],
    ["S", { kind: "skip" }],
  ])("%s → %j", (key, action) => {
    expect(hotkeyAction({ key })).toEqual(action);
  });

  it.each(["a", "Escape", " ", "F1", "10", "ArrowDown"])("%j is not a hotkey", (key) => {
    expect(hotkeyAction({ key })).toBeNull();
  });

  it("leaves browser chords alone", () => {
    expect(hotkeyAction({ key: "1", ctrlKey: true })).toBeNull();
    expect(hotkeyAction({ key: "s", metaKey: true })).toBeNull();
    expect(hotkeyAction({ key: "Enter", altKey: true })).toBeNull();
  });
});

describe("hotkeyLabel", () => {
  it("numbers the first nine labels", () => {
    expect(hotkeyLabel(0)).toBe("1");
    expect(hotkeyLabel(8)).toBe("9");
    expect(hotkeyLabel(9)).toBeNull();
    expect(hotkeyLabel(-1)).toBeNull();
  });
});

describe("isTypingTarget", () => {
  it.each([
    [{ tagName: "INPUT", type: "text" }, true],
    [{ tagName: "input", type: "search" }, true],
    [{ tagName: "INPUT" }, true],
    [{ tagName: "TEXTAREA" }, true],
    [{ tagName: "SELECT" }, true],
    [{ tagName: "DIV", isContentEditable: true }, true],
    [{ tagName: "INPUT", type: "checkbox" }, false],
    [{ tagName: "INPUT", type: "radio" }, false],
    [{ tagName: "BUTTON" }, false],
    [{ tagName: "BODY" }, false],
    [null, false],
  ])("%j → %s", (target, expected) => {
    expect(isTypingTarget(target)).toBe(expected);
  });
});
