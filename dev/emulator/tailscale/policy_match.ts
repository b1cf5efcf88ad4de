/**
 * Who a rule's `src` names and what its `dst` covers, for ACL tests and
 * `acl/preview`: logins, groups (nested ones too), tags, host aliases, IPs
 * and CIDRs, `autogroup:member`, `autogroup:tagged`, `autogroup:self` and
 * `*`, resolved against the tailnet's users and devices. Pure: the tailnet
 * is passed in as {@link TailnetFacts}.
 *
 * @module
 */
import type { PolicyRules } from "./policy_rules.ts";

/** A device as far as matching needs it. */
export type FactsDevice = {
  addresses: readonly string[];
  tags?: readonly string[];
  user: string;
};

/** The tailnet a policy is evaluated in. */
export type TailnetFacts = {
  /** Logins of the tailnet's member users (what `autogroup:member` means). */
  members: ReadonlySet<string>;
  devices: readonly FactsDevice[];
};

/** A source or destination a test or a preview asks about. */
export type Subject =
  | { kind: "login"; raw: string }
  | { kind: "group"; raw: string }
  | { kind: "tag"; raw: string }
  /** An IP, or a host alias (`raw`) resolved to its address. */
  | { kind: "address"; raw: string; ip: string };

/** A rule and the tailnet it is read in. */
export type MatchScope = { policy: PolicyRules; facts: TailnetFacts };

/** `user@domain` (Tailscale's "emailish" logins; also `user@github`). */
export function isLogin(s: string): boolean {
  return /^[^@\s:*]+@[^@\s:*]+$/.test(s);
}

/** Every login and group name inside a group, following nested groups. */
export function expandGroup(
  policy: PolicyRules,
  name: string,
  seen: Set<string> = new Set(),
): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const m of policy.groups.get(name) ?? []) {
    if (m.startsWith("group:")) expandGroup(policy, m, seen);
    else seen.add(m);
  }
  return seen;
}

/** Whether one `src` entry of a rule names the subject. */
export function srcMatches(
  scope: MatchScope,
  entry: string,
  who: Subject,
): boolean {
  if (entry === "*" || entry === who.raw) return true;
  switch (who.kind) {
    case "login":
      return (entry.startsWith("group:") &&
        expandGroup(scope.policy, entry).has(who.raw)) ||
        (entry === "autogroup:member" && scope.facts.members.has(who.raw));
    case "group":
      // A member of group:x is in every group that contains group:x. It is
      // not taken for a tailnet member (autogroup:member): spec is silent;
      // stricter choice.
      return entry.startsWith("group:") &&
        expandGroup(scope.policy, entry).has(who.raw);
    case "tag":
      return entry === "autogroup:tagged";
    case "address":
      return prefixesOf(scope, entry, undefined)
        .some((p) => inPrefix(who.ip, p));
  }
}

/**
 * Whether a rule's destination host covers the subject. `srcLogin` is the
 * source's login, for `autogroup:self`.
 */
export function hostCovers(
  scope: MatchScope,
  host: string,
  target: Subject,
  srcLogin?: string,
): boolean {
  if (host === "*" || host === target.raw) return true;
  if (target.kind === "login") {
    if (
      (host.startsWith("group:") &&
        expandGroup(scope.policy, host).has(target.raw)) ||
      (host === "autogroup:member" && scope.facts.members.has(target.raw)) ||
      (host === "autogroup:self" && srcLogin === target.raw)
    ) return true;
  }
  if (target.kind === "tag" && host === "autogroup:tagged") return true;
  const prefixes = prefixesOf(scope, host, srcLogin);
  return addressesOf(scope, target).some((ip) =>
    prefixes.some((p) => inPrefix(ip, p))
  );
}

/** The addresses a destination subject stands for. */
function addressesOf(scope: MatchScope, target: Subject): string[] {
  const { devices } = scope.facts;
  switch (target.kind) {
    case "address":
      return [target.ip];
    case "tag":
      return devices.filter((d) => d.tags?.includes(target.raw))
        .flatMap((d) => d.addresses);
    case "login":
      return devices.filter((d) => !d.tags?.length && d.user === target.raw)
        .flatMap((d) => d.addresses);
    case "group":
      return [];
  }
}

/** The addresses (and CIDRs) a rule's host entry stands for. */
function prefixesOf(
  scope: MatchScope,
  host: string,
  srcLogin: string | undefined,
): string[] {
  const { policy, facts } = scope;
  const alias = policy.hosts.get(host);
  if (alias !== undefined) return [alias];
  if (isAddress(host)) return [host];
  const owned = (logins: (login: string) => boolean) =>
    facts.devices.filter((d) => !d.tags?.length && logins(d.user))
      .flatMap((d) => d.addresses);
  if (host.startsWith("tag:")) {
    return facts.devices.filter((d) => d.tags?.includes(host))
      .flatMap((d) => d.addresses);
  }
  if (host.startsWith("group:")) {
    const members = expandGroup(policy, host);
    return owned((u) => members.has(u));
  }
  if (host === "autogroup:member") return owned((u) => facts.members.has(u));
  if (host === "autogroup:self") return owned((u) => u === srcLogin);
  if (host === "autogroup:tagged") {
    return facts.devices.filter((d) => d.tags?.length)
      .flatMap((d) => d.addresses);
  }
  if (isLogin(host)) return owned((u) => u === host);
  return [];
}

/** An IPv4 or IPv6 address, or a CIDR of either. */
export function isAddress(s: string): boolean {
  const [ip, bits, extra] = s.split("/");
  if (extra !== undefined) return false;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return false;
  return ipv4(ip) !== null || /^[0-9a-f:]+$/i.test(ip) && ip.includes(":");
}

function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

/**
 * Whether an address is the prefix's address or inside its CIDR. IPv6
 * CIDRs only match their exact address (the emulator's demo tailnet needs
 * no more).
 */
function inPrefix(ip: string, prefix: string): boolean {
  const [net, bitsText] = prefix.split("/");
  const a = ipv4(ip);
  const n = ipv4(net);
  if (a === null || n === null || bitsText === undefined) {
    return ip.toLowerCase() === net.toLowerCase();
  }
  const bits = Number(bitsText);
  if (bits === 0) return true;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(n / size);
}
