/**
 * The parts of a tailnet policy file the emulator evaluates, read into one
 * shape: `grants` and `acls` (action `accept`) as rules with their sources,
 * destinations (host, port ranges, protocols) and `srcPosture`, plus
 * `groups`, `hosts`, `postures` and `defaultSrcPosture`. Pure: no I/O.
 *
 * Syntax follows Tailscale's policy reference (KB 1337, "grants" and
 * "acls"); what a section holds that the emulator does not evaluate
 * (`app` capabilities, `tagOwners`, `attrConfig`, `ssh`, …) is ignored.
 *
 * @module
 */
import { HttpError, isPlainObject } from "./http.ts";

/** An inclusive range of ports. */
export type PortRange = { first: number; last: number };

/** One destination of a rule: a host, its ports and protocols. */
export type RuleDst = {
  /** As written: `tag:prod`, `group:eng`, `100.64.0.10`, a host alias, `*`. */
  host: string;
  ports: PortRange[];
  /** IP protocol numbers; `null` for every protocol. */
  protos: number[] | null;
  /** `host:ports` as `acl/preview` shows it, e.g. `tag:prod:22`. */
  text: string;
};

/** A grant or an accepting ACL, read into one shape. */
export type Rule = {
  kind: "grants" | "acls";
  /** Position in its section, for finding its line in the text. */
  index: number;
  src: string[];
  dst: RuleDst[];
  /** Postures of which one must hold; `null`: `defaultSrcPosture` applies. */
  srcPosture: string[] | null;
};

/** What the emulator evaluates of a policy file. */
export type PolicyRules = {
  groups: Map<string, string[]>;
  hosts: Map<string, string>;
  /** Posture name → its conditions (all must hold). */
  postures: Map<string, string[]>;
  defaultSrcPosture: string[] | null;
  rules: Rule[];
};

const ALL_PORTS: PortRange[] = [{ first: 0, last: 65535 }];

/** IP protocol names Tailscale accepts in `proto`, by number (KB 1337). */
const PROTOCOLS: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  egp: 8,
  igp: 9,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  "ipv6-icmp": 58,
  sctp: 132,
};

/** A 400 about the policy file, in the validate endpoint's words. */
function problem(text: string): HttpError {
  return new HttpError(400, `policy: ${text}`);
}

/** A protocol name or number as its IP protocol number; a 400 otherwise. */
export function protocolNumber(proto: string): number {
  const p = proto.toLowerCase();
  if (p in PROTOCOLS) return PROTOCOLS[p];
  if (/^\d{1,3}$/.test(p) && Number(p) <= 255) return Number(p);
  throw new HttpError(400, `unknown protocol ${JSON.stringify(proto)}`);
}

/** `*`, `22`, `80-90` or a comma list of those, as port ranges. */
export function parsePorts(spec: string): PortRange[] {
  if (spec === "*") return ALL_PORTS;
  return spec.split(",").map((part) => {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim());
    const first = m ? Number(m[1]) : NaN;
    const last = m?.[2] !== undefined ? Number(m[2]) : first;
    if (!(first >= 0 && last >= first && last <= 65535)) {
      throw problem(`invalid port ${JSON.stringify(part)} in "${spec}"`);
    }
    return { first, last };
  });
}

/** `host:ports` split at the last colon (`tag:prod:22`, `[fd7a::1]:22`). */
export function splitHostPort(entry: string): { host: string; port: string } {
  const colon = entry.lastIndexOf(":");
  if (colon <= 0 || colon === entry.length - 1) {
    throw problem(`destination ${JSON.stringify(entry)} is not host:port`);
  }
  const host = entry.slice(0, colon);
  return {
    host: host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host,
    port: entry.slice(colon + 1),
  };
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw problem(`${where} must be a list of strings`);
  }
  return value as string[];
}

function postureList(value: unknown, where: string): string[] | null {
  return value === undefined ? null : stringList(value, where);
}

function stringMap(value: unknown, where: string): Map<string, unknown> {
  if (value === undefined) return new Map();
  if (!isPlainObject(value)) throw problem(`"${where}" must be an object`);
  return new Map(Object.entries(value));
}

/** A grant's `ip` entry (`*`, `22`, `tcp:22`, `80-90`, `udp:*`) on one host. */
function grantDst(host: string, ip: string): RuleDst {
  const colon = ip.indexOf(":");
  const proto = colon < 0 ? null : ip.slice(0, colon);
  const ports = colon < 0 ? ip : ip.slice(colon + 1);
  return {
    host,
    ports: parsePorts(ports),
    protos: proto === null ? null : [protocolNumber(proto)],
    text: `${host}:${ports}`,
  };
}

function readGrant(grant: unknown, index: number): Rule {
  const where = `grants[${index}]`;
  if (!isPlainObject(grant)) throw problem(`${where} must be an object`);
  const src = stringList(grant.src, `${where}.src`);
  const dst = stringList(grant.dst, `${where}.dst`);
  if (!src.length || !dst.length) {
    throw problem(`${where} needs "src" and "dst"`);
  }
  const ip = stringList(grant.ip, `${where}.ip`);
  // A grant with only `app` capabilities opens no network access.
  if (!ip.length && grant.app === undefined) {
    throw problem(`${where} needs "ip" or "app"`);
  }
  return {
    kind: "grants",
    index,
    src,
    dst: dst.flatMap((host) => ip.map((entry) => grantDst(host, entry))),
    srcPosture: postureList(grant.srcPosture, `${where}.srcPosture`),
  };
}

function readAcl(acl: unknown, index: number): Rule {
  const where = `acls[${index}]`;
  if (!isPlainObject(acl)) throw problem(`${where} must be an object`);
  if (acl.action !== "accept") {
    throw problem(`${where}: action must be "accept"`);
  }
  // `users` and `ports` are the legacy names of `src` and `dst`.
  const src = stringList(acl.src ?? acl.users, `${where}.src`);
  const dst = stringList(acl.dst ?? acl.ports, `${where}.dst`);
  if (!src.length || !dst.length) throw problem(`${where} needs src and dst`);
  const protos = acl.proto === undefined
    ? null
    : [protocolNumber(String(acl.proto))];
  return {
    kind: "acls",
    index,
    src,
    dst: dst.map((entry) => {
      const { host, port } = splitHostPort(entry);
      return { host, ports: parsePorts(port), protos, text: entry };
    }),
    srcPosture: postureList(acl.srcPosture, `${where}.srcPosture`),
  };
}

function readSection(
  policy: Record<string, unknown>,
  kind: "grants" | "acls",
  read: (rule: unknown, index: number) => Rule,
): Rule[] {
  const section = policy[kind];
  if (section === undefined) return [];
  if (!Array.isArray(section)) throw problem(`"${kind}" must be a list`);
  return section.map(read);
}

/**
 * The evaluated sections of a parsed policy file; a 400 naming the first
 * malformed entry.
 *
 * @example
 * ```ts
 * const { rules } = readPolicyRules({
 *   grants: [{ src: ["group:prod"], dst: ["tag:prod"], ip: ["tcp:22"] }],
 * });
 * rules[0].dst[0].text; // "tag:prod:22"
 * ```
 */
export function readPolicyRules(
  policy: Record<string, unknown>,
): PolicyRules {
  const groups = new Map<string, string[]>();
  for (const [name, members] of stringMap(policy.groups, "groups")) {
    groups.set(name, stringList(members, name));
  }
  const hosts = new Map<string, string>();
  for (const [name, ip] of stringMap(policy.hosts, "hosts")) {
    if (typeof ip !== "string") throw problem(`host ${name} must be a string`);
    hosts.set(name, ip);
  }
  const postures = new Map<string, string[]>();
  for (const [name, conditions] of stringMap(policy.postures, "postures")) {
    if (!name.startsWith("posture:")) {
      throw problem(`posture "${name}" must start with "posture:"`);
    }
    postures.set(name, stringList(conditions, name));
  }
  return {
    groups,
    hosts,
    postures,
    defaultSrcPosture: postureList(
      policy.defaultSrcPosture,
      "defaultSrcPosture",
    ),
    rules: [
      ...readSection(policy, "grants", readGrant),
      ...readSection(policy, "acls", readAcl),
    ],
  };
}
