/**
 * The device picker's options (lib/devices/options.ts), as pure logic: the
 * requester's own untagged devices first, most recently seen first, then the
 * best matches for what was typed, within Slack's 100 options and
 * 75-character texts.
 */
import {
  deviceOptionText,
  deviceSuggestions,
  MAX_OPTIONS,
  type OptionGroup,
} from "../lib/devices/options.ts";
import type { Device } from "../lib/tailscale/mod.ts";
import { assert, assertEquals } from "./assert.ts";

function device(over: Partial<Device> & { hostname: string }): Device {
  return {
    nodeId: `n${over.hostname.replace(/\W/g, "")}CNTRL`,
    name: `${over.hostname}.tail1234.ts.net`,
    user: "someone@example.com",
    os: "linux",
    addresses: ["100.64.0.1"],
    tags: [],
    lastSeen: "2026-11-01T00:00:00Z",
    connectedToControl: false,
    isExternal: false,
    ...over,
  };
}

const fleet = [
  device({
    hostname: "zed-server",
    tags: ["tag:prod"],
    user: "alice@example.com",
    addresses: ["100.64.9.9"],
  }),
  device({
    hostname: "alice-old",
    user: "alice@example.com",
    lastSeen: "2026-10-01T00:00:00Z",
    addresses: ["100.64.1.2"],
  }),
  device({
    hostname: "alice-laptop",
    user: "Alice@Example.com",
    lastSeen: "2026-11-20T00:00:00Z",
    addresses: ["100.64.1.1"],
  }),
  device({
    hostname: "bob-box",
    user: "bob@example.com",
    addresses: ["100.64.2.1"],
  }),
];

function texts(groups: OptionGroup[]) {
  return groups.map((
    g,
  ) => [g.label.text, g.options.map((o) => o.text.text.split(" · ")[0])]);
}

Deno.test("own untagged devices come first, most recently seen first", () => {
  const s = deviceSuggestions(fleet, "", "alice@example.com");
  assert("option_groups" in s);
  assertEquals(texts(s.option_groups), [
    ["Your devices", ["alice-laptop", "alice-old"]],
    ["Other devices", ["bob-box", "zed-server"]],
  ]);
});

Deno.test("an online device (no lastSeen, connectedToControl) comes before ones seen earlier", () => {
  // Tailscale omits lastSeen while a device is connected (spec: Device).
  const online = device({
    hostname: "alice-desktop",
    user: "alice@example.com",
    lastSeen: undefined,
    connectedToControl: true,
  });
  const never = device({
    hostname: "alice-new",
    user: "alice@example.com",
    lastSeen: undefined,
  });
  const s = deviceSuggestions(
    [never, ...fleet, online],
    "",
    "alice@example.com",
  );
  assert("option_groups" in s);
  assertEquals(texts(s.option_groups)[0], [
    "Your devices",
    ["alice-desktop", "alice-laptop", "alice-old", "alice-new"],
  ]);
});

Deno.test("a tagged device registered by the requester is not theirs", () => {
  const s = deviceSuggestions(fleet, "zed", "alice@example.com");
  assert("option_groups" in s);
  assertEquals(texts(s.option_groups), [["All devices", ["zed-server"]]]);
});

Deno.test("the query matches name, hostname, IP and node ID", () => {
  const names = (q: string) => {
    const s = deviceSuggestions(fleet, q, undefined);
    return "option_groups" in s
      ? s.option_groups.flatMap((g) => g.options.map((o) => o.value))
      : [];
  };
  assertEquals(names("BOB"), ["nbobboxCNTRL"]);
  assertEquals(names("tail1234").length, fleet.length);
  assertEquals(names("100.64.1."), ["nalicelaptopCNTRL", "naliceoldCNTRL"]);
  assertEquals(names("nzedserver"), ["nzedserverCNTRL"]);
  assertEquals(names("nothing-like-this"), []);
});

Deno.test("no match answers with an empty option list", () => {
  assertEquals(deviceSuggestions(fleet, "qqq", "alice@example.com"), {
    options: [],
  });
});

Deno.test("at most 100 options in total, own devices kept", () => {
  const many = Array.from(
    { length: 150 },
    (_, i) => device({ hostname: `host-${String(i).padStart(3, "0")}` }),
  );
  const own = Array.from(
    { length: 30 },
    (_, i) => device({ hostname: `mine-${i}`, user: "me@example.com" }),
  );
  const s = deviceSuggestions([...many, ...own], "", "me@example.com");
  assert("option_groups" in s);
  assertEquals(s.option_groups.map((g) => g.options.length), [
    30,
    MAX_OPTIONS - 30,
  ]);
});

Deno.test("the others shown are the best matches by name, as a full sort would give", () => {
  // Shuffled names, some exact, prefix and substring matches on "web".
  const names = Array.from({ length: 3_000 }, (_, i) => {
    const n = (i * 7_919) % 3_000;
    return n % 3 === 0 ? `web-${n}` : n % 3 === 1 ? `app-web-${n}` : `db-${n}`;
  });
  const fleet = [...names, "web"].map((hostname) => device({ hostname }));
  for (const query of ["", "web", "web-1", "app"]) {
    const s = deviceSuggestions(fleet, query, "nobody@example.com");
    const shown = "option_groups" in s
      ? s.option_groups.flatMap((g) => g.options.map((o) => o.value))
      : [];
    const rank = (h: string) =>
      !query ? 0 : h === query ? 0 : h.startsWith(query) ? 1 : 2;
    const expected = fleet
      .filter((d) => !query || d.hostname.includes(query))
      .sort((a, b) =>
        rank(a.hostname) - rank(b.hostname) ||
        (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0)
      )
      .slice(0, MAX_OPTIONS)
      .map((d) => d.nodeId);
    assertEquals(shown, expected, `query "${query}"`);
  }
});

Deno.test("option text stays within Slack's 75 characters", () => {
  const long = device({ hostname: "x".repeat(90), tags: ["tag:a", "tag:b"] });
  const text = deviceOptionText(long);
  assertEquals(text.length, 75);
  assert(text.endsWith("…"));
  assertEquals(
    deviceOptionText(fleet[0]),
    "zed-server · 100.64.9.9 · tag:prod",
  );
  assertEquals(deviceOptionText(fleet[3]), "bob-box · 100.64.2.1 · linux");
});
