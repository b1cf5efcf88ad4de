/**
 * Devices in the Tailscale emulator: `GET /tailnet/{tailnet}/devices` (with
 * its server-side `<field>=<value>` filters and `fields=all`) and
 * `GET /device/{id}`, answered with the API's device JSON.
 *
 * @module
 */
import {
  HttpError,
  type Reply,
  rfc3339,
  type RouteTable,
  stableHex,
} from "./http.ts";
import { type OAuthClient, READ_DEVICES } from "./oauth.ts";
import type { Tailnet } from "./tailnet.ts";
import type { FakeDevice } from "./types.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";

// The device JSON's top-level properties, for the list filters: the
// documented default field set (in the spec's order) and what `fields=all`
// adds in this fake. Filters may only name properties the answer has.
const DEFAULT_DEVICE_FIELDS = [
  "addresses",
  "id",
  "nodeId",
  "user",
  "name",
  "hostname",
  "clientVersion",
  "updateAvailable",
  "os",
  "created",
  "connectedToControl",
  "lastSeen",
  "keyExpiryDisabled",
  "expires",
  "authorized",
  "isExternal",
  "machineKey",
  "nodeKey",
  "blocksIncomingConnections",
  "tailnetLockKey",
  "tailnetLockError",
  "tags",
  "isEphemeral",
];
const ALL_ONLY_DEVICE_FIELDS = [
  "enabledRoutes",
  "advertisedRoutes",
  "clientConnectivity",
  "postureIdentity",
];
/** "Properties that are complex objects (e.g. `clientConnectivity`) are not supported." */
const COMPLEX_DEVICE_FIELDS = new Set([
  "clientConnectivity",
  "postureIdentity",
]);
const BOOLEAN_DEVICE_FIELDS = new Set([
  "updateAvailable",
  "connectedToControl",
  "keyExpiryDisabled",
  "authorized",
  "isExternal",
  "blocksIncomingConnections",
  "isEphemeral",
]);

/** String fields the device JSON copies unchanged from {@link FakeDevice}. */
const DIRECT_DEVICE_FIELDS = new Set([
  "id",
  "nodeId",
  "user",
  "name",
  "hostname",
  "os",
]);

/** What the device endpoints answer from. */
export type DeviceApi = { oauth: OAuthClient; tailnet: Tailnet };

/**
 * The device endpoints' routes.
 *
 * @example
 * ```ts
 * const routes = deviceRoutes({ oauth, tailnet });
 * ```
 */
export function deviceRoutes(ctx: DeviceApi): RouteTable {
  return [
    [/^tailnet\/([^/]+)\/devices$/, {
      methods: ["GET"],
      run: (req, url, _t, [tailnet]) => listDevices(ctx, req, url, tailnet),
    }],
    [/^device\/([^/]+)$/, {
      methods: ["GET"],
      run: (req, url, _t, [id]) => getDevice(ctx, req, url, id),
    }],
  ];
}

function listDevices(
  ctx: DeviceApi,
  req: Request,
  url: URL,
  tailnet: string,
): Reply {
  ctx.oauth.authorize(req, READ_DEVICES);
  ctx.tailnet.checkName(tailnet);
  const all = fieldsParam(url);
  const filters = deviceFilters(url, all);
  // Fields the JSON copies straight from the device are checked first, so
  // a filtered listing of a large tailnet renders only what it returns.
  const direct = filters.filter(([name]) => DIRECT_DEVICE_FIELDS.has(name));
  const devices: Record<string, unknown>[] = [];
  for (const d of ctx.tailnet.devices.values()) {
    if (
      !direct.every(([name, values]) =>
        values.every((v) => d[name as keyof FakeDevice] === v)
      )
    ) continue;
    const json = deviceJson(d, all);
    if (filters.every((f) => matchesFilter(json, f))) devices.push(json);
  }
  return { status: 200, body: { devices } };
}

function getDevice(ctx: DeviceApi, req: Request, url: URL, id: string): Reply {
  ctx.oauth.authorize(req, READ_DEVICES);
  const all = fieldsParam(url);
  return { status: 200, body: deviceJson(ctx.tailnet.requireDevice(id), all) };
}

/** `?fields=` → whether to include the heavier fields. */
function fieldsParam(url: URL): boolean {
  const fields = url.searchParams.get("fields");
  if (fields === null || fields === "default") return false;
  if (fields === "all") return true;
  throw new HttpError(
    400,
    `invalid fields value "${fields}": use "default" or "all"`,
  );
}

function deviceFilters(url: URL, all: boolean): [string, string[]][] {
  const known = new Set([
    ...DEFAULT_DEVICE_FIELDS,
    ...(all ? ALL_ONLY_DEVICE_FIELDS : []),
  ]);
  const names = new Set(
    [...url.searchParams.keys()].filter((k) => k !== "fields"),
  );
  return [...names].map((name) => {
    if (COMPLEX_DEVICE_FIELDS.has(name)) {
      throw new HttpError(
        400,
        `cannot filter on "${name}": complex object properties are not supported`,
      );
    }
    if (!known.has(name)) {
      throw new HttpError(
        400,
        `cannot filter on "${name}": not a top-level device property${
          ALL_ONLY_DEVICE_FIELDS.includes(name) ? " without fields=all" : ""
        }`,
      );
    }
    const values = url.searchParams.getAll(name);
    if (BOOLEAN_DEVICE_FIELDS.has(name)) {
      const bad = values.find((v) => v !== "true" && v !== "false");
      if (bad !== undefined) {
        throw new HttpError(
          400,
          `invalid value "${bad}" for boolean filter "${name}": use true or false`,
        );
      }
    }
    return [name, values];
  });
}

/**
 * Exact, case-sensitive matches: a list property must contain every value;
 * any other property must equal every value (so `os=linux&os=macOS` matches
 * nothing, the filters being ANDed). A device without the property (an
 * untagged device's `tags`, a connected one's `lastSeen`) never matches.
 */
function matchesFilter(
  json: Record<string, unknown>,
  [name, values]: [string, string[]],
): boolean {
  const v = json[name];
  if (v === undefined) return false;
  if (Array.isArray(v)) return values.every((x) => v.includes(x));
  return values.every((x) => String(v) === x);
}

/** The API's device JSON (documented field order), `all` adding the heavy fields. */
function deviceJson(d: FakeDevice, all: boolean): Record<string, unknown> {
  const external = d.isExternal ?? false;
  // "This value is empty for external devices": tags, clientVersion,
  // updateAvailable, created, machineKey.
  const tags = external ? [] : d.tags ?? [];
  const tagged = tags.length > 0;
  const created = external ? "" : d.created;
  const createdMs = Date.parse(created);
  const connected = d.connectedToControl ?? false;
  const json: Record<string, unknown> = {
    addresses: [...d.addresses],
    id: d.id,
    nodeId: d.nodeId,
    user: d.user,
    name: d.name,
    hostname: d.hostname,
    clientVersion: external ? "" : d.clientVersion,
    updateAvailable: false,
    os: d.os,
    created,
    connectedToControl: connected,
  };
  // "Omitted if the device has never been online or connectedToControl is
  // true."
  if (!connected && d.lastSeen) json.lastSeen = d.lastSeen;
  Object.assign(json, {
    // Tagged devices have key expiry disabled by default.
    keyExpiryDisabled: tagged,
    expires: tagged || Number.isNaN(createdMs)
      ? ZERO_TIME
      : rfc3339(createdMs + 180 * 86_400_000),
    authorized: d.authorized,
    isExternal: external,
    machineKey: external ? "" : `mkey:${stableHex(`m${d.nodeId}`)}`,
    nodeKey: `nodekey:${stableHex(`n${d.nodeId}`)}`,
    blocksIncomingConnections: false,
    tailnetLockKey: `nlpub:${stableHex(`t${d.nodeId}`)}`,
    tailnetLockError: "",
  });
  // Untagged (and external) devices have no "tags" at all.
  if (tagged) json.tags = [...tags];
  json.isEphemeral = d.isEphemeral ?? false;
  if (all) {
    json.enabledRoutes = [];
    json.advertisedRoutes = [];
    json.clientConnectivity = {
      endpoints: [],
      mappingVariesByDestIP: false,
      latency: {},
      clientSupports: {
        hairPinning: false,
        ipv6: true,
        pcp: false,
        pmp: false,
        udp: true,
        upnp: false,
      },
    };
    json.postureIdentity = { serialNumbers: [], disabled: false };
  }
  return json;
}

/** The OS version Tailscale reports for a device of this OS. */
export function osVersion(os: string): string {
  switch (os.toLowerCase()) {
    case "macos":
      return "14.6.1";
    case "ios":
      return "17.6.1";
    case "windows":
      return "10.0.22631.4169";
    case "android":
      return "14";
    default:
      return "6.8.0-45-generic";
  }
}
