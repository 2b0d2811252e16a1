import { describe, expect, it } from "vitest";
import { hotkeyAction } from "../../src/lib/hotkeys";
import { FILTER_MIN_LABELS, filterLabels } from "../../src/lib/label-filter";

const labels = ["Transport", "Sport", "Science", "Côte d'Ivoire", "Climate change", "e-sports"];

describe("label filter", () => {
  it("keeps every label, in order, for an empty query", () => {
    expect(filterLabels(labels, "")).toEqual(labels);
    expect(filterLabels(labels, "   ")).toEqual(labels);
  });

  it("puts word starts first, then other matches, each in the project's order", () => {
    expect(filterLabels(labels, "sp")).toEqual(["Sport", "e-sports", "Transport"]);
    expect(filterLabels(labels, "SC")).toEqual(["Science"]);
    expect(filterLabels(labels, "change")).toEqual(["Climate change"]);
  });

  it("ignores case and accents", () => {
    expect(filterLabels(labels, "cote")).toEqual(["Côte d'Ivoire"]);
    expect(filterLabels(labels, "CÔTE")).toEqual(["Côte d'Ivoire"]);
  });

  it("matches nothing for a query no label contains", () => {
    expect(filterLabels(labels, "zz")).toEqual([]);
  });

  it("is offered from a dozen labels and reached with /", () => {
    expect(FILTER_MIN_LABELS).toBe(12);
    expect(hotkeyAction({ key: "/" })).toEqual({ kind: "filter" });
    expect(hotkeyAction({ key: "/", ctrlKey: true })).toBeNull();
  });
});
