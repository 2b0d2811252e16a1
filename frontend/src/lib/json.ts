/** JSON values as they cross postMessage and the REST API. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Depth and size limits keep a hostile frame from handing the host something absurd. */
const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

/**
 * True when `v` is made only of null, booleans, finite numbers, strings, arrays and plain
 * objects (no Dates, Maps, class instances, cycles), within the limits.
 */
export function isJsonValue(v: unknown): v is JsonValue {
  let nodes = 0;
  const walk = (x: unknown, depth: number): boolean => {
    nodes += 1;
    if (nodes > MAX_NODES || depth > MAX_DEPTH) return false;
    if (x === null || typeof x === "boolean" || typeof x === "string") return true;
    if (typeof x === "number") return Number.isFinite(x);
    if (Array.isArray(x)) return x.every((i) => walk(i, depth + 1));
    if (typeof x === "object") {
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.values(x as object).every((i) => walk(i, depth + 1));
    }
    return false;
  };
  return walk(v, 0);
}

export function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v) && isJsonValue(v);
}
