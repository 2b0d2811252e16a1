/**
 * A small parser for the JSON-ish literals Ground Truth templates put in attributes:
 * `categories="['Cat', 'Dog']"`, `exclusion-category="{ text: 'None of the above' }"`.
 * It accepts strict JSON plus single-quoted strings, unquoted keys and trailing commas.
 * Never `eval`: templates are untrusted and the frame's CSP forbids it anyway.
 */

export class LooseJsonError extends Error {
  override name = "LooseJsonError";
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$-]/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

export function parseLooseJson(text: string): unknown {
  let pos = 0;

  const fail = (what: string): never => {
    throw new LooseJsonError(`${what} at position ${pos}`);
  };

  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos += 1;
  };

  const parseString = (): string => {
    const quote = text[pos];
    pos += 1;
    let out = "";
    while (pos < text.length) {
      const ch = text[pos]!;
      if (ch === quote) {
        pos += 1;
        return out;
      }
      if (ch === "\\") {
        const next = text[pos + 1];
        pos += 2;
        switch (next) {
          case "n": out += "\n"; break;
          case "t": out += "\t"; break;
          case "r": out += "\r"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "u": {
            const hex = text.slice(pos, pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          case undefined: fail("unterminated string"); break;
          default: out += next;
        }
        continue;
      }
      out += ch;
      pos += 1;
    }
    return fail("unterminated string");
  };

  const parseIdent = (): string => {
    const start = pos;
    while (pos < text.length && IDENT_PART.test(text[pos]!)) pos += 1;
    return text.slice(start, pos);
  };

  const parseValue = (): unknown => {
    skipSpace();
    const ch = text[pos];
    if (ch === undefined) return fail("unexpected end");
    if (ch === '"' || ch === "'") return parseString();
    if (ch === "[") {
      pos += 1;
      const items: unknown[] = [];
      for (;;) {
        skipSpace();
        if (text[pos] === "]") { pos += 1; return items; }
        items.push(parseValue());
        skipSpace();
        if (text[pos] === ",") { pos += 1; continue; }
        if (text[pos] === "]") { pos += 1; return items; }
        fail("expected , or ]");
      }
    }
    if (ch === "{") {
      pos += 1;
      const obj: Record<string, unknown> = {};
      for (;;) {
        skipSpace();
        if (text[pos] === "}") { pos += 1; return obj; }
        let key: string;
        const k = text[pos];
        if (k === '"' || k === "'") key = parseString();
        else if (k !== undefined && IDENT_START.test(k)) key = parseIdent();
        else return fail("expected a key");
        skipSpace();
        if (text[pos] !== ":") fail("expected :");
        pos += 1;
        // A plain object, so "__proto__" is just a key here.
        Object.defineProperty(obj, key, { value: parseValue(), enumerable: true, writable: true, configurable: true });
        skipSpace();
        if (text[pos] === ",") { pos += 1; continue; }
        if (text[pos] === "}") { pos += 1; return obj; }
        fail("expected , or }");
      }
    }
    const num = NUMBER.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      return Number(num[0]);
    }
    if (IDENT_START.test(ch)) {
      const word = parseIdent();
      if (word === "true") return true;
      if (word === "false") return false;
      if (word === "null") return null;
      fail(`unexpected word ${JSON.stringify(word)}`);
    }
    return fail(`unexpected ${JSON.stringify(ch)}`);
  };

  const value = parseValue();
  skipSpace();
  if (pos !== text.length) fail("trailing characters");
  return value;
}

/** Strict JSON first (the common, fast case), the loose grammar otherwise. */
export function parseAttributeLiteral(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parseLooseJson(text);
  }
}

/**
 * An element attribute holding JSON (or a loose literal): null when empty or "null"; a parse error
 * is recorded in `problems` as "<what> is not valid JSON: …" (shown by the element) and gives null.
 */
export function parseJsonAttribute(text: string | null, what: string, problems: string[]): unknown {
  const t = (text ?? "").trim();
  if (!t || t === "null") return null;
  try {
    return parseAttributeLiteral(t);
  } catch (e) {
    problems.push(`${what} is not valid JSON: ${(e as Error).message}`);
    return null;
  }
}
