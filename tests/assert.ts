/**
 * Minimal assertions (the standard library is not reachable offline).
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

/** Deep equality through JSON (values here are plain data). */
export function assertEquals<T>(actual: T, expected: T, message?: string) {
  const a = JSON.stringify(actual, null, 1);
  const e = JSON.stringify(expected, null, 1);
  if (a !== e) {
    throw new Error(
      `${message ?? "values differ"}\nactual:   ${a}\nexpected: ${e}`,
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
