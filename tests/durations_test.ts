/**
 * The durations a profile offers (lib/durations.ts): the presets up to its
 * maximum, the maximum itself when it falls between them, a default of one
 * hour or less, and how a length reads.
 */
import {
  defaultDuration,
  durationChoices,
  formatDuration,
  formatUtc,
} from "../lib/durations.ts";
import { assertEquals } from "./assert.ts";

Deno.test("a maximum below the shortest preset is offered by itself", () => {
  assertEquals(durationChoices(120), [120]);
});

Deno.test("a maximum between presets is offered exactly, not rounded down", () => {
  assertEquals(durationChoices(3 * 3600).slice(-3), [3600, 7200, 10800]);
});

Deno.test("a maximum equal to a preset is not repeated", () => {
  assertEquals(durationChoices(86400).at(-1), 86400);
  assertEquals(durationChoices(86400).filter((s) => s === 86400).length, 1);
});

Deno.test("seven days offers every preset", () => {
  assertEquals(durationChoices(7 * 86400).length, 13);
});

Deno.test("the default is one hour, or the maximum when shorter", () => {
  assertEquals(defaultDuration(86400), 3600);
  assertEquals(defaultDuration(600), 600);
});

Deno.test("durations read naturally", () => {
  assertEquals(formatDuration(300), "5 minutes");
  assertEquals(formatDuration(3600), "1 hour");
  assertEquals(formatDuration(5400), "90 minutes");
  assertEquals(formatDuration(86400 + 6 * 3600), "1 day 6 hours");
  assertEquals(formatDuration(45), "45 seconds");
  assertEquals(formatDuration(7 * 86400), "7 days");
});

Deno.test("a moment in plain text reads as day, month, year and UTC minute", () => {
  assertEquals(
    formatUtc(new Date("2030-01-01T14:00:00Z")),
    "1 Jan 2030, 14:00 UTC",
  );
  assertEquals(
    formatUtc(new Date("2026-12-31T09:05:59Z")),
    "31 Dec 2026, 09:05 UTC",
  );
});
