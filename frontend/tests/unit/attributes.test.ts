import { describe, expect, it } from "vitest";
import { parseCategories, parseExclusionCategory, parseOverlay } from "../../src/lib/attributes";

describe("parseCategories", () => {
  it.each([
    ['["cat", "dog"]', ["cat", "dog"]],
    ["['cat', 'dog']", ["cat", "dog"]],
    ["[{\"label\": \"cat\"}, {\"label\": \"dog\"}]", ["cat", "dog"]],
    ['{"document-version": "2018-11-28", "labels": [{"label": "cat"}]}', ["cat"]],
    ["cat, dog ,bird", ["cat", "dog", "bird"]],
    ['["cat", "cat", " dog ", "", 3]', ["cat", "dog", "3"]],
    ["", []],
    [null, []],
    ["['broken", []],
  ])("%j → %j", (attr, expected) => {
    expect(parseCategories(attr)).toEqual(expected);
  });
});

describe("parseExclusionCategory", () => {
  it.each([
    ["{ text: 'None of the above' }", "None of the above"],
    ['{"text": "None"}', "None"],
    ['"None"', "None"],
    ["None of these", "None of these"],
    ["{}", null],
    ["", null],
    [null, null],
  ])("%j → %j", (attr, expected) => {
    expect(parseExclusionCategory(attr)).toBe(expected);
  });
});

describe("parseOverlay", () => {
  it("reads bounding boxes by label or class id", () => {
    const overlay = parseOverlay(`{
      boundingBox: {
        labels: ['car', 'person'],
        value: [
          {label: 'car', left: 10, top: 20, width: 30, height: 40},
          {class_id: 1, left: 1, top: 2, width: 3, height: 4},
          {label: 'bad', left: 'x'},
        ],
      },
    }`);
    expect(overlay).toEqual({
      boxes: [
        { label: "car", left: 10, top: 20, width: 30, height: 40 },
        { label: "person", left: 1, top: 2, width: 3, height: 4 },
      ],
      maskSrc: null,
    });
  });

  it("reads a segmentation mask", () => {
    expect(parseOverlay('{"semanticSegmentation": {"src": "https://x/m.png"}}')).toEqual({ boxes: [], maskSrc: "https://x/m.png" });
  });

  it("gives null for nothing usable", () => {
    expect(parseOverlay("")).toBeNull();
    expect(parseOverlay("{}")).toBeNull();
    expect(parseOverlay("not json {")).toBeNull();
  });
});
