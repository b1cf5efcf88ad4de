/**
 * The suite's own assertions (tests/assert.ts): equality ignores the order
 * of an object's keys but not of an array's items, and a Set or a Map is
 * refused rather than compared as JSON's `{}`, where every two look equal.
 */
import {
  assert,
  assertEquals,
  assertIncludes,
  assertThrows,
} from "./assert.ts";

Deno.test("equality is deep and ignores the order of keys, not of items", () => {
  assertEquals({ a: 1, b: { c: [1, 2], d: "x" } }, {
    b: { d: "x", c: [1, 2] },
    a: 1,
  });
  const items = assertThrows(() => assertEquals([1, 2], [2, 1]));
  assertIncludes(items.message, "(at $[0])");
  const nested = assertThrows(() =>
    assertEquals({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } })
  );
  assertIncludes(nested.message, "(at $.a.b[1].c)");
  assertThrows(() => assertEquals<unknown>({ a: 1 }, { a: 1, b: 2 }));
});

Deno.test("values compare as JSON writes them", () => {
  assertEquals<unknown>({ a: 1, gone: undefined }, { a: 1 });
  assertEquals<unknown>(new Date(0), "1970-01-01T00:00:00.000Z");
  assertEquals(undefined, undefined);
  assertThrows(() => assertEquals<unknown>(undefined, null));
});

Deno.test("a Set or a Map is refused, wherever it is", () => {
  for (
    const [actual, expected] of [
      [new Set([1]), new Set([2])],
      [new Map([["a", 1]]), new Map()],
      [{ ids: new Set([1]) }, { ids: new Set([1]) }],
      [[1], [new Map()]],
    ]
  ) {
    const e = assertThrows(() => assertEquals<unknown>(actual, expected));
    assert(e instanceof TypeError, `${e}`);
    assertIncludes(e.message, "cannot compare a");
  }
});

Deno.test("a failure names the message and both values", () => {
  const e = assertThrows(() => assertEquals({ n: 1 }, { n: 2 }, "the count"));
  assertIncludes(e.message, "the count (at $.n)");
  assertIncludes(e.message, 'actual:   {\n "n": 1\n}');
  assertIncludes(e.message, 'expected: {\n "n": 2\n}');
});
