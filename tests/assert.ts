/**
 * The suite's assertions (the standard library is not reachable offline).
 *
 * Equality is deep and ignores the order of an object's keys: values are
 * compared as JSON would write them (a key whose value is `undefined` is
 * absent, a Date is its ISO string), so only plain data can be compared.
 * A `Set` or a `Map` is refused with an error, since JSON would write any of
 * them as `{}` and every two would look equal: compare `[...set].sort()` or
 * `Object.fromEntries(map)` instead.
 *
 * @module
 */

/** Fails with `message` unless `condition` holds. */
export function assert(
  condition: unknown,
  message = "assertion failed",
): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * Fails unless `actual` and `expected` are deeply equal, whatever the order
 * of their objects' keys. Throws a TypeError for a Set or a Map anywhere in
 * either value.
 *
 * @example
 * ```ts
 * assertEquals({ a: 1, b: [2] }, { b: [2], a: 1 }); // passes
 * assertEquals(new Set([1]), new Set([2])); // TypeError: cannot compare a Set
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, message?: string) {
  const a = canonicalJson(actual);
  const e = canonicalJson(expected);
  if (a !== e) {
    const at = firstDifference(
      JSON.parse(a ?? "null"),
      JSON.parse(e ?? "null"),
    );
    throw new Error(
      `${message ?? "values differ"}${at ? ` (at ${at})` : ""}\n` +
        `actual:   ${a}\nexpected: ${e}`,
    );
  }
}

/** Fails unless `text` contains `part`. */
export function assertIncludes(text: string, part: string, message?: string) {
  if (!text.includes(part)) {
    throw new Error(
      `${message ?? "missing text"}: expected ${JSON.stringify(part)} in ${
        JSON.stringify(text)
      }`,
    );
  }
}

/** Runs `fn`, which must throw; returns the error. */
export function assertThrows(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, but none was thrown");
}

/** Awaits `fn`, which must reject; returns the error. */
export async function assertRejects(
  fn: () => Promise<unknown>,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/**
 * `value` as JSON with every object's keys sorted (`undefined` for a value
 * JSON cannot write, such as `undefined` itself).
 */
function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof Set || v instanceof Map) {
      throw new TypeError(
        `assertEquals cannot compare a ${v.constructor.name}: as JSON every ` +
          `one is {}. Compare [...set].sort() or Object.fromEntries(map).`,
      );
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
      );
    }
    return v;
  }, 1);
}

/** The path of the first place two JSON values differ ("" if nowhere). */
function firstDifference(a: unknown, b: unknown, path = "$"): string {
  if (JSON.stringify(a) === JSON.stringify(b)) return "";
  if (
    !a || !b || typeof a !== "object" || typeof b !== "object" ||
    Array.isArray(a) !== Array.isArray(b)
  ) return path;
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
    const inner = firstDifference(
      x[key],
      y[key],
      Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`,
    );
    if (inner) return inner;
  }
  return path;
}
