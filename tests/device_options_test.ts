import {
  deviceOptionText,
  deviceSuggestions,
  MAX_OPTIONS,
  type OptionGroup,
} from "../lib/device_options.ts";
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
