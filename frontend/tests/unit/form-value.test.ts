import { describe, expect, it } from "vitest";
import {
  EMPTY_MULTI,
  mergeFormValue,
  multiValue,
  readMulti,
  readSingle,
  restoreControls,
  serializeControls,
  singleValue,
  toggleExclusion,
  toggleLabel,
  type ControlLike,
} from "../../src/lib/form-value";

const cats = ["cat", "dog", "bird", "none"];

describe("single-label values", () => {
  it("serialises as {label}", () => {
    expect(singleValue("cat")).toEqual({ label: "cat" });
    expect(singleValue(null)).toBeNull();
  });

  it("restores only offered labels", () => {
    expect(readSingle({ label: "dog" }, cats)).toBe("dog");
    expect(readSingle("dog", cats)).toBe("dog");
    expect(readSingle({ label: "horse" }, cats)).toBeNull();
    expect(readSingle({ labels: ["dog"] }, cats)).toBeNull();
    expect(readSingle(null, cats)).toBeNull();
  });
});

describe("multi-label values", () => {
  it("toggles and keeps the categories' order", () => {
    let s = toggleLabel(EMPTY_MULTI, "bird", cats);
    s = toggleLabel(s, "cat", cats);
    expect(multiValue(s)).toEqual({ labels: ["cat", "bird"] });
    s = toggleLabel(s, "bird", cats);
    expect(multiValue(s)).toEqual({ labels: ["cat"] });
  });

  it("ignores labels that are not offered", () => {
    expect(toggleLabel(EMPTY_MULTI, "horse", cats)).toBe(EMPTY_MULTI);
  });

  it("an exclusive category clears the others and vice versa", () => {
    let s = toggleLabel(toggleLabel(EMPTY_MULTI, "cat", cats, "none"), "dog", cats, "none");
    expect(s.labels).toEqual(["cat", "dog"]);
    s = toggleLabel(s, "none", cats, "none");
    expect(s.labels).toEqual(["none"]);
    s = toggleLabel(s, "bird", cats, "none");
    expect(s.labels).toEqual(["bird"]);
  });

  it("the separate exclusion button clears every label, a label clears it", () => {
    let s = toggleLabel(EMPTY_MULTI, "cat", cats);
    s = toggleExclusion(s);
    expect(s).toEqual({ labels: [], excluded: true });
    expect(multiValue(s)).toEqual({ labels: [] });
    s = toggleLabel(s, "dog", cats);
    expect(s).toEqual({ labels: ["dog"], excluded: false });
    expect(toggleExclusion(toggleExclusion(EMPTY_MULTI))).toEqual({ labels: [], excluded: false });
  });

  it("restores {labels}, a bare list, and drops unknown labels", () => {
    expect(readMulti({ labels: ["dog", "horse", "cat"] }, cats)).toEqual({ labels: ["cat", "dog"], excluded: false });
    expect(readMulti(["bird"], cats).labels).toEqual(["bird"]);
    expect(readMulti({ label: "cat" }, cats)).toEqual(EMPTY_MULTI);
  });
});

function control(p: Partial<ControlLike> & Pick<ControlLike, "name">): ControlLike {
  return { tag: "input", type: "text", disabled: false, value: "", checked: false, selectedValues: [], ...p };
}

describe("plain HTML controls", () => {
  const controls = (): ControlLike[] => [
    control({ name: "comment", value: "looks blurry" }),
    control({ tag: "textarea", type: "textarea", name: "notes", value: "a\nb" }),
    control({ type: "checkbox", name: "unsure", checked: true, value: "on" }),
    control({ type: "checkbox", name: "tags", value: "x", checked: true }),
    control({ type: "checkbox", name: "tags", value: "y" }),
    control({ type: "radio", name: "quality", value: "good" }),
    control({ type: "radio", name: "quality", value: "bad", checked: true }),
    control({ tag: "select", type: "select-one", name: "size", value: "m", selectedValues: ["m"] }),
    control({ tag: "select", type: "select-multiple", name: "colours", selectedValues: ["red", "blue"] }),
    control({ type: "submit", name: "go", value: "Go" }),
    control({ name: "off", value: "x", disabled: true }),
    control({ name: "", value: "nameless" }),
  ];

  it("serialises like Ground Truth's crowd-form", () => {
    expect(serializeControls(controls())).toEqual({
      comment: "looks blurry",
      notes: "a\nb",
      unsure: { on: true },
      tags: ["x"],
      quality: "bad",
      size: "m",
      colours: ["red", "blue"],
    });
  });

  it("an unchosen radio group is null", () => {
    expect(serializeControls([control({ type: "radio", name: "q", value: "a" })])).toEqual({ q: null });
  });

  it("restores what it serialised", () => {
    const saved = serializeControls(controls());
    const fresh = controls().map((c) => ({ ...c, value: c.type === "checkbox" || c.type === "radio" ? c.value : "", checked: false, selectedValues: [] }));
    restoreControls(saved, fresh);
    expect(serializeControls(fresh)).toEqual(saved);
  });

  it("leaves controls the draft does not name alone", () => {
    const c = [control({ name: "a", value: "keep" })];
    restoreControls({ b: "x" }, c);
    expect(c[0]!.value).toBe("keep");
  });

  it("element values win over controls of the same name; null values are left out", () => {
    expect(mergeFormValue({ category: "stray", other: "x" }, [["category", { label: "cat" }], ["second", null]])).toEqual({
      category: { label: "cat" },
      other: "x",
    });
  });
});
