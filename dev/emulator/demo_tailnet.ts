/**
 * Seed data for the Tailscale fake: a small tailnet whose people match the
 * Slack test users, plus a generator of large synthetic tailnets.
 *
 * Times are relative to `Date.now()` at the moment of the call, so "most
 * recently seen" orderings hold whenever a test runs. Devices connected to
 * the control server right now (alice-laptop, bob-thinkpad) have no
 * `lastSeen`, as in the API.
 *
 * @module
 */
import type { FakeDevice } from "./tailscale/types.ts";

/** MagicDNS suffix of the demo tailnet. */
export const DEMO_DNS_SUFFIX = "tail1234.ts.net";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** RFC3339 the way Tailscale writes it: UTC, whole seconds. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

type Seed = {
  id: string;
  nodeId: string;
  hostname: string;
  user: string;
  os: string;
  host: number; // last octet / IPv6 suffix, distinct per device
  /** Connected to control now, or last seen this many milliseconds ago. */
  seen: "connected" | number;
  createdAgo: number;
  clientVersion: string;
  tags?: string[];
};

// Tagged servers are "registered by" a person, as in a real tailnet: the
// API keeps the login of whoever authenticated the node before tagging.
const SEEDS: readonly Seed[] = [
  {
    id: "393735751060",
    nodeId: "nAL1CE1CNTRL",
    hostname: "alice-laptop",
    user: "alice@example.com",
    os: "macOS",
    host: 1,
    seen: "connected",
    createdAgo: 120 * DAY,
    clientVersion: "1.76.6-t4c1bd2e5f-g8d2a3b4c5",
  },
  {
    id: "393735751061",
    nodeId: "nAL1CE2CNTRL",
    hostname: "alice-iphone",
    user: "alice@example.com",
    os: "iOS",
    host: 2,
    seen: 3 * DAY,
    createdAgo: 200 * DAY,
    clientVersion: "1.76.1-t1a2b3c4d5-g6e7f8a9b0",
  },
  {
    id: "393735751062",
    nodeId: "nB0B1THNKCNTRL",
    hostname: "bob-thinkpad",
    user: "bob@example.com",
    os: "linux",
    host: 3,
    seen: "connected",
    createdAgo: 90 * DAY,
    clientVersion: "1.76.6-t4c1bd2e5f-g8d2a3b4c5",
  },
  {
    id: "393735751063",
    nodeId: "nCAR0LMBPCNTRL",
    hostname: "carol-mbp",
    user: "carol@example.com",
    os: "macOS",
    host: 4,
    seen: 2 * HOUR,
    createdAgo: 60 * DAY,
    clientVersion: "1.74.1-t9f8e7d6c5-gb4a3c2d1e",
  },
  {
    id: "393735751064",
    nodeId: "nDAVE1DSKCNTRL",
    hostname: "dave-desktop",
    user: "dave@example.com",
    os: "windows",
    host: 5,
    seen: 2 * DAY,
    createdAgo: 30 * DAY,
    clientVersion: "1.76.6-t4c1bd2e5f-g8d2a3b4c5",
  },
  {
    id: "393735751065",
    nodeId: "nPR0DDB1CNTRL",
    hostname: "prod-db-1",
    user: "bob@example.com",
    os: "linux",
    host: 10,
    seen: 30 * SECOND,
    createdAgo: 300 * DAY,
    clientVersion: "1.76.6-t4c1bd2e5f-g8d2a3b4c5",
    tags: ["tag:prod"],
  },
  {
    id: "393735751066",
    nodeId: "nPR0DWEB1CNTRL",
    hostname: "prod-web-1",
    user: "bob@example.com",
    os: "linux",
    host: 11,
    seen: 45 * SECOND,
    createdAgo: 300 * DAY,
    clientVersion: "1.76.6-t4c1bd2e5f-g8d2a3b4c5",
    tags: ["tag:prod"],
  },
  {
    id: "393735751067",
    nodeId: "nJUMP1SRVCNTRL",
    hostname: "jump-1",
    user: "carol@example.com",
    os: "linux",
    host: 12,
    seen: 15 * SECOND,
    createdAgo: 400 * DAY,
    clientVersion: "1.74.1-t9f8e7d6c5-gb4a3c2d1e",
    tags: ["tag:jump"],
  },
];

function fromSeed(s: Seed, now: number): FakeDevice {
  const device: FakeDevice = {
    id: s.id,
    nodeId: s.nodeId,
    name: `${s.hostname}.${DEMO_DNS_SUFFIX}`,
    hostname: s.hostname,
    user: s.user,
    os: s.os,
    addresses: [`100.64.0.${s.host}`, `fd7a:115c:a1e0::${s.host.toString(16)}`],
    created: rfc3339(now - s.createdAgo),
    clientVersion: s.clientVersion,
    authorized: true,
  };
  if (s.seen === "connected") device.connectedToControl = true;
  else device.lastSeen = rfc3339(now - s.seen);
  if (s.tags) device.tags = [...s.tags];
  return device;
}

/**
 * The demo tailnet: alice (macOS laptop connected now, iPhone seen days
 * ago), bob (ThinkPad connected now), carol, dave, and the tagged servers
 * prod-db-1, prod-web-1 and jump-1 (registered by bob and carol). No
 * shared-in devices: an OAuth client does not see them
 * (tailscale/tailscale#8707). Every call returns fresh objects, so tests may
 * mutate them.
 */
export function demoTailnet(): FakeDevice[] {
  const now = Date.now();
  return SEEDS.map((s) => fromSeed(s, now));
}

/** One demo device by hostname (e.g. `"alice-laptop"`); throws if unknown. */
export function demoDevice(hostname: string): FakeDevice {
  const seed = SEEDS.find((s) => s.hostname === hostname);
  if (!seed) {
    throw new Error(
      `no demo device "${hostname}"; known: ${
        SEEDS.map((s) => s.hostname).join(", ")
      }`,
    );
  }
  return fromSeed(seed, Date.now());
}

const MANY_OS = ["linux", "macOS", "windows", "iOS", "android"] as const;

/**
 * `n` synthetic devices for load tests: `host-00000`, `host-00001`, …, owned
 * by `user{i % 500}@example.com`, every tenth one tagged `tag:server`.
 * Names, ids and addresses depend only on `i`; their addresses
 * (100.80.0.0 upwards) and ids do not collide with {@link demoTailnet}, so the
 * two can be combined.
 */
export function manyDevices(n: number): FakeDevice[] {
  // 100.80.0.0 – 100.127.255.255 is inside Tailscale's 100.64.0.0/10 range.
  const capacity = (128 - 80) * 65536 - 1;
  if (!Number.isInteger(n) || n < 0 || n > capacity) {
    throw new Error(`manyDevices: n must be an integer in 0..${capacity}`);
  }
  const now = Date.now();
  const devices: FakeDevice[] = [];
  for (let i = 0; i < n; i++) {
    const hostname = `host-${String(i).padStart(5, "0")}`;
    const a = i + 1; // skip 100.80.0.0
    const device: FakeDevice = {
      id: String(500_000_000_000 + i),
      nodeId: `nH${String(i).padStart(8, "0")}CNTRL`,
      name: `${hostname}.${DEMO_DNS_SUFFIX}`,
      hostname,
      user: `user${i % 500}@example.com`,
      os: MANY_OS[i % MANY_OS.length],
      addresses: [
        `100.${80 + (a >> 16)}.${(a >> 8) & 255}.${a & 255}`,
        `fd7a:115c:a1e0::1:${(a >> 16).toString(16)}:${
          (a & 0xffff).toString(16)
        }`,
      ],
      // One minute apart, so "most recent" is well defined.
      lastSeen: rfc3339(now - i * MINUTE),
      created: "2024-01-15T09:00:00Z",
      clientVersion: "1.76.6-t4c1bd2e5f-g8d2a3b4c5",
      authorized: true,
    };
    if (i % 10 === 0) device.tags = ["tag:server"];
    devices.push(device);
  }
  return devices;
}
