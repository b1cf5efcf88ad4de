/**
 * How the device index stores devices: one tab-separated row per device,
 * grouped into datastore-sized parts by owner, so that one person's devices
 * are one small read however large the tailnet is.
 *
 * @module
 */
import { isTagged } from "./text.ts";
import type { Device } from "../tailscale/mod.ts";

/**
 * Untagged devices are spread over this many buckets by a hash of their
 * owner's email; tagged and ownerless devices go to the "rest" parts.
 */
export const OWNER_BUCKETS = 64;
/**
 * Longest part, in UTF-16 code units. Even if every unit took 3 bytes in
 * UTF-8 this stays under Slack's 400 KB item limit.
 */
export const MAX_PART_LENGTH = 120_000;

/** Fields of a row; rows written before `connectedToControl` have one less. */
const FIELDS = 9;
const clean = (s: string) => s.replace(/[\t\n\r]/g, " ");

/**
 * The device as one row: nodeId, hostname, name, user, os, addresses, tags,
 * lastSeen, and "1" when connected to the control server.
 */
export function encodeRow(d: Device): string {
  return [
    d.nodeId,
    d.hostname,
    d.name,
    d.user,
    d.os,
    d.addresses.join(" "),
    d.tags.join(" "),
    d.lastSeen ?? "",
    d.connectedToControl ? "1" : "",
  ].map(clean).join("\t");
}

/**
 * The devices in a part, or null if a row is malformed. With `containing`
 * (lower-case), only rows that contain it somewhere: a superset of the
 * devices whose name, hostname, IP or node ID matches it, found by a text
 * search without building the others (which are not checked either: they
 * are never shown).
 */
export function decodeRows(text: string, containing = ""): Device[] | null {
  if (text === "") return [];
  const rows = containing ? rowsContaining(text, containing) : text.split("\n");
  const devices: Device[] = [];
  for (const row of rows) {
    const d = decodeRow(row);
    if (!d) return null;
    devices.push(d);
  }
  return devices;
}

function rowsContaining(text: string, q: string): string[] {
  const lower = text.toLowerCase();
  if (lower.length !== text.length) {
    // Some character changed length when lower-cased: compare row by row.
    return text.split("\n").filter((r) => r.toLowerCase().includes(q));
  }
  const rows: string[] = [];
  let from = 0;
  for (let hit = lower.indexOf(q); hit !== -1; hit = lower.indexOf(q, from)) {
    const start = lower.lastIndexOf("\n", hit) + 1;
    const newline = lower.indexOf("\n", hit);
    const end = newline === -1 ? text.length : newline;
    rows.push(text.slice(start, end));
    from = end + 1;
  }
  return rows;
}

function decodeRow(row: string): Device | null {
  const f = row.split("\t");
  if ((f.length !== FIELDS && f.length !== FIELDS - 1) || !f[0]) return null;
  return {
    nodeId: f[0],
    hostname: f[1],
    name: f[2],
    user: f[3],
    os: f[4],
    addresses: f[5] ? f[5].split(" ") : [],
    tags: f[6] ? f[6].split(" ") : [],
    ...(f[7] ? { lastSeen: f[7] } : {}),
    connectedToControl: f[8] === "1",
    // Shared-in devices are never listed, so never indexed.
    isExternal: false,
  };
}

/** Whose device this is for the picker: the owner's email, or null if tagged or ownerless. */
export function ownerOf(d: Device): string | null {
  return isTagged(d) || !d.user ? null : d.user.toLowerCase();
}

/** The owner bucket of an email (FNV-1a, so it is stable across processes). */
export function bucketOf(email: string): number {
  let h = 0x811c9dc5;
  const s = email.toLowerCase();
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0) % OWNER_BUCKETS;
}

/** Devices split into parts: `own[b]` for owner bucket b, `rest` for the others. */
export type Partition = { own: string[][]; rest: string[] };

/** Splits the tailnet into parts (an empty group has no parts). */
export function partitionDevices(devices: readonly Device[]): Partition {
  const own: string[][] = Array.from({ length: OWNER_BUCKETS }, () => []);
  const rest: string[] = [];
  for (const d of devices) {
    const owner = ownerOf(d);
    (owner === null ? rest : own[bucketOf(owner)]).push(encodeRow(d));
  }
  return { own: own.map(toParts), rest: toParts(rest) };
}

function toParts(rows: readonly string[]): string[] {
  const parts: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const row of rows) {
    if (current.length && length + row.length + 1 > MAX_PART_LENGTH) {
      parts.push(current.join("\n"));
      current = [];
      length = 0;
    }
    current.push(row);
    length += row.length + 1;
  }
  if (current.length) parts.push(current.join("\n"));
  return parts;
}
