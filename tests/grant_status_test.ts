/**
 * A grant's status from Tailscale's answer, and the rows "My Tailscale
 * access" lists, as pure rules.
 */
import { parseConfig } from "../lib/config_schema.ts";
import {
  activeGrants,
  attributeStatus,
  grantRow,
  groupStatus,
  pendingRows,
  tailscaleStatuses,
} from "../lib/grants/mod.ts";
import type { RequestRecord } from "../lib/requests/mod.ts";
import {
  type ClientResult,
  type DeviceAttributes,
  TailscaleApiError,
} from "../lib/tailscale/mod.ts";
import { assertEquals } from "./assert.ts";

const END = "2025-01-01T13:00:00.000Z";
const grant = { attribute: "custom:prodAccess", expires_at: END };

Deno.test("an attribute grant: as granted, removed, changed, device gone, unknown", () => {
  const held = (
    value: string | boolean | undefined,
    expiry?: string,
  ): DeviceAttributes => ({
    attributes: value === undefined ? {} : { "custom:prodAccess": value },
    expiries: expiry ? { "custom:prodAccess": expiry } : {},
  });
  assertEquals(attributeStatus(held(true, END), grant), { kind: "as_granted" });
  // Within a minute of the grant's end it is still ours.
  assertEquals(
    attributeStatus(held(true, "2025-01-01T13:00:59.000Z"), grant),
    { kind: "as_granted" },
  );
  assertEquals(attributeStatus(held(undefined), grant), { kind: "removed" });
  assertEquals(
    attributeStatus(held(true, "2025-01-02T13:00:00.000Z"), grant),
    { kind: "changed", until: new Date("2025-01-02T13:00:00.000Z") },
  );
  assertEquals(attributeStatus(held(true), grant), { kind: "changed" });
  assertEquals(attributeStatus(held("yes", END), grant), {
    kind: "changed",
    until: new Date(END),
  });
  assertEquals(attributeStatus({ gone: true }, grant), { kind: "device_gone" });
  assertEquals(attributeStatus({ error: "timeout" }, grant), {
    kind: "unknown",
    error: "timeout",
  });
});

Deno.test("a group grant: the login in the group, or no longer", () => {
  const policy = `{"groups": {"group:prod": ["alice@example.com"]}}`;
  const alice = { attribute: "group:prod", login: "alice@example.com" };
  assertEquals(groupStatus(policy, alice), { kind: "as_granted" });
  assertEquals(
    groupStatus(policy, { ...alice, login: "carol@example.com" }),
    { kind: "not_in_group" },
  );
  assertEquals(groupStatus({ error: "no scope" }, alice), {
    kind: "unknown",
    error: "no scope",
  });
});

/** A record with only what the rules read. */
function record(changes: Partial<RequestRecord>): RequestRecord {
  return {
    id: "req",
    requester: "U_ALICE",
    approver: "U_BOB",
    attribute: "custom:prodAccess",
    device_id: "node-1",
    duration_seconds: 3600,
    reason: "INC-1",
    state: "granted",
    created_at: "2025-01-01T11:00:00.000Z",
    granted_at: "2025-01-01T11:00:00.000Z",
    expires_at: END,
    history: [],
    ...changes,
  };
}

Deno.test("statuses: one read a device, a 404 means the device is gone", async () => {
  const reads: string[] = [];
  const tailscale = {
    getAttributes(nodeId: string) {
      reads.push(nodeId);
      if (nodeId === "node-gone") {
        return Promise.reject(
          new TailscaleApiError({
            operation: `reading the attributes of device ${nodeId}`,
            kind: "not_found",
            status: 404,
          }),
        );
      }
      return Promise.resolve({
        attributes: { "custom:prodAccess": true },
        expiries: { "custom:prodAccess": END },
      });
    },
  };
  const built = { ok: true, tailscale } as unknown as ClientResult;
  const statuses = await tailscaleStatuses(built, [
    record({ id: "a" }),
    record({ id: "b" }),
    record({ id: "c", device_id: "node-gone" }),
  ]);
  assertEquals(reads.sort(), ["node-1", "node-gone"]);
  assertEquals(Object.fromEntries(statuses), {
    a: { kind: "as_granted" },
    b: { kind: "as_granted" },
    c: { kind: "device_gone" },
  });
  const unset = await tailscaleStatuses(
    { ok: false, missing: ["TAILSCALE_TAILNET"] },
    [record({ id: "a" })],
  );
  assertEquals(unset.get("a"), {
    kind: "unknown",
    error: "TAILSCALE_TAILNET not set",
  });
});

const config = parseConfig({
  profiles: [{
    description: "Production",
    attribute: "custom:prodAccess",
    maxExtendedSeconds: 3 * 3600,
    maxSeconds: 3600,
  }],
});

Deno.test("rows: live grants soonest first; pending requests, then extensions", () => {
  const now = new Date("2025-01-01T12:00:00.000Z");
  const records = [
    record({ id: "late", expires_at: "2025-01-01T14:00:00.000Z" }),
    record({ id: "soon" }),
    record({ id: "over", expires_at: "2025-01-01T11:59:00.000Z" }),
    record({ id: "ext", state: "pending", extends: "soon" }),
    record({ id: "new", state: "pending", requester: "U_CAROL" }),
  ];
  assertEquals(activeGrants(records, now).map((r) => r.id), ["soon", "late"]);
  const row = grantRow(config, records[1], { kind: "as_granted" }, "U_ALICE");
  assertEquals(row.profile, "Production");
  assertEquals(row.mine, true);
  assertEquals(row.extensionRoom, 3600);
  assertEquals(
    grantRow(
      config,
      record({ attribute: "custom:gone" }),
      { kind: "removed" },
      "U_BOB",
    ).extensionRoom,
    0,
  );
  assertEquals(
    pendingRows(config, records, "U_ALICE").map((p) => [
      p.id,
      p.profile,
      p.mine,
    ]),
    [["new", "Production", false], ["ext", "Production (extension)", true]],
  );
});
