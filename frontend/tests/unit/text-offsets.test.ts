import { describe, expect, it } from "vitest";
import {
  OffsetIndex,
  codePointToUtf16,
  normalizeSelection,
  snapToGrapheme,
  snapToWords,
  stepGrapheme,
  stepWord,
  utf16ToCodePoint,
} from "../../src/text/offsets";

/** Python's view of a string: a list of code points. */
const cps = (s: string): string[] => Array.from(s);

const FAMILY = "👩\u200d👩\u200d👧"; // 5 code points, 8 UTF-16 units, one grapheme
const FLAG = "🇫🇷"; // 2 regional indicators, 4 units, one grapheme
const CAFE = "cafe\u0301"; // e + combining acute: 5 code points, 4 graphemes

describe("OffsetIndex", () => {
  it("is the identity on text without astral characters (Arabic and Hebrew are BMP)", () => {
    const t = "Cairo القاهرة שלום";
    const ix = new OffsetIndex(t);
    for (let i = 0; i <= t.length; i++) {
      expect(ix.toCodePoint(i)).toBe(i);
      expect(ix.toUtf16(i)).toBe(i);
    }
    expect(ix.codePointLength).toBe(cps(t).length);
  });

  it("converts both ways around emoji ZWJ sequences and flags, as Python counts", () => {
    const t = `${FAMILY} met ${FLAG} in ${CAFE}`;
    const ix = new OffsetIndex(t);
    expect(ix.codePointLength).toBe(cps(t).length);
    // Every code point boundary round-trips.
    let u = 0;
    cps(t).forEach((ch, cp) => {
      expect(ix.toUtf16(cp)).toBe(u);
      expect(ix.toCodePoint(u)).toBe(cp);
      u += ch.length;
    });
    expect(ix.toUtf16(ix.codePointLength)).toBe(t.length);
    // "met" starts after the family emoji and a space: code point 6, UTF-16 unit 9.
    expect(ix.toCodePoint(t.indexOf("met"))).toBe(cps(t).indexOf("m"));
    expect(ix.toCodePoint(9)).toBe(6);
  });

  it("rounds an offset inside a surrogate pair down to the pair's start", () => {
    const t = "a😀b";
    expect(utf16ToCodePoint(t, 2)).toBe(1);
    expect(utf16ToCodePoint(t, 3)).toBe(2);
    expect(codePointToUtf16(t, 2)).toBe(3);
  });

  it("clamps offsets outside the text", () => {
    const ix = new OffsetIndex("😀x");
    expect(ix.toCodePoint(-4)).toBe(0);
    expect(ix.toCodePoint(99)).toBe(2);
    expect(ix.toUtf16(99)).toBe(3);
  });

  it("agrees with Array.from on a long random text", () => {
    const pool = ["a", " ", "é", "😀", FAMILY, "ש", "ق", "\u0301", FLAG, "\n"];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let t = "";
    for (let i = 0; i < 3000; i++) t += pool[Math.floor(rnd() * pool.length)];
    const ix = new OffsetIndex(t);
    let u = 0;
    cps(t).forEach((ch, cp) => {
      expect(ix.toCodePoint(u)).toBe(cp);
      expect(ix.toUtf16(cp)).toBe(u);
      u += ch.length;
    });
  });
});

describe("grapheme snapping", () => {
  const t = `x${FAMILY}y ${CAFE} ${FLAG}!`;

  it("never splits a ZWJ sequence: inner offsets snap out to its edges", () => {
    for (let i = 2; i < 1 + FAMILY.length; i++) {
      expect(snapToGrapheme(t, i, -1)).toBe(1);
      expect(snapToGrapheme(t, i, 1)).toBe(1 + FAMILY.length);
    }
  });

  it("keeps a combining mark with its letter and a flag whole", () => {
    const e = t.indexOf("e\u0301");
    expect(snapToGrapheme(t, e + 1, 1)).toBe(e + 2);
    expect(snapToGrapheme(t, e + 1, -1)).toBe(e);
    const f = t.indexOf(FLAG);
    expect(snapToGrapheme(t, f + 2, 1)).toBe(f + 4);
    expect(snapToGrapheme(t, f + 1, -1)).toBe(f);
  });

  it("steps the caret one grapheme at a time", () => {
    expect(stepGrapheme(t, 1, 1)).toBe(1 + FAMILY.length);
    expect(stepGrapheme(t, 1 + FAMILY.length, -1)).toBe(1);
    const e = t.indexOf("e\u0301");
    expect(stepGrapheme(t, e, 1)).toBe(e + 2);
    expect(stepGrapheme(t, 0, -1)).toBe(0);
    expect(stepGrapheme(t, t.length, 1)).toBe(t.length);
  });

  it("makes a selection grapheme-aligned and trimmed, or null for white space only", () => {
    expect(normalizeSelection(t, 3, 6, false)).toEqual([1, 1 + FAMILY.length]);
    expect(normalizeSelection(t, 3, 10, false)).toEqual([1, 1 + FAMILY.length + 1]);
    expect(normalizeSelection("a   b", 1, 4, false)).toBeNull();
    expect(normalizeSelection(" Paris ", 0, 7, false)).toEqual([1, 6]);
  });
});

describe("words", () => {
  const t = "Barack Obama visited القاهرة and תל אביב.";

  it("steps by words forward to an end and backward to a start", () => {
    expect(stepWord(t, 0, 1)).toBe(6);
    expect(stepWord(t, 6, 1)).toBe(12);
    expect(stepWord(t, 12, -1)).toBe(7);
    const cairo = t.indexOf("القاهرة");
    expect(stepWord(t, cairo - 1, 1)).toBe(cairo + "القاهرة".length);
  });

  it("token snap widens a partial selection to whole words, in any script", () => {
    expect(snapToWords(t, 9, 10)).toEqual([7, 12]);
    const tel = t.indexOf("תל");
    expect(snapToWords(t, tel + 1, tel + 5)).toEqual([tel, tel + "תל אביב".length]);
    expect(normalizeSelection(t, 2, 9, true)).toEqual([0, 12]);
  });
});
