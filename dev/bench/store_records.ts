/**
 * The request store's contents for `deno task bench`'s store section:
 * thousands of ended requests from the last months and a few live ones,
 * each record the size the app writes.
 *
 * @module
 */
import type { RequestRecord, RequestState } from "../../lib/requests/store.ts";
import type { TestApp } from "../app.ts";
import { demoDevice } from "../emulator/demo_tailnet.ts";
import { PEOPLE } from "../emulator/slack_people.ts";

/** Live requests among the ended ones (grants, pending requests, group grants). */
export const LIVE = 50;
const DAY_MS = 24 * 3600_000;

/** A request record the size the app writes (about 1.5 KB), `ageMs` old. */
function benchRecord(
  id: string,
  requester: string,
  state: RequestState,
  now: number,
  ageMs: number,
  group = false,
): RequestRecord {
  const at = (min: number) =>
    new Date(now - ageMs + min * 60_000).toISOString();
  const device = demoDevice("alice-laptop");
  const live = state === "pending" || state === "granted";
  const history: RequestRecord["history"] = [
    {
      event: "requested",
      actor: requester,
      at: at(0),
      note: `approver ${PEOPLE.bob}`,
    },
  ];
  if (state !== "pending") {
    history.push(
      {
        event: "approved",
        actor: PEOPLE.bob,
        at: at(3),
        note: "ok for INC-4242",
      },
      { event: "granted", actor: "app", at: at(3), note: `until ${at(63)}` },
      { event: "notified", actor: "app", at: at(3) },
    );
  }
  if (!live) history.push({ event: state, actor: "app", at: at(63) });
  return {
    id,
    requester,
    approver: PEOPLE.bob,
    attribute: group ? "group:prod" : "custom:prodAccess",
    device_id: group ? "" : device.nodeId,
    ...(group
      ? { login: "bob@example.com", membership: "added" as const }
      : {}),
    duration_seconds: 3600,
    reason: "INC-4242: read the payment service logs during the incident",
    state,
    created_at: at(0),
    ...(state === "pending" ? {} : {
      decided_by: PEOPLE.bob,
      decided_at: at(3),
      claim_token: crypto.randomUUID(),
      planned_expiry: at(63),
      granted_at: at(3),
      expires_at: state === "granted"
        ? new Date(now + 2 * 3600_000).toISOString()
        : at(63),
      notified: true,
      notify_failures: [],
      prompt_channel: "D0BOB0001",
      prompt_ts: "1700000000.000100",
    }),
    ...(live ? { indexed: true } : {}),
    device_snapshot: JSON.stringify({
      nodeId: device.nodeId,
      hostname: device.hostname,
      name: device.name,
      user: device.user,
      os: device.os,
      addresses: device.addresses,
      tags: device.tags,
      connectedToControl: true,
      isExternal: false,
    }),
    schedule: live ? ["reminder:Ft0FAKE01", "expiry:Ft0FAKE02"] : [],
    history,
  };
}

/**
 * `ended` requests from the last months and {@linkcode LIVE} live ones:
 * Alice has one grant and one pending request; the rest are other people's
 * grants (every fifth of a group), pending requests.
 */
export function seedRequests(app: TestApp, ended: number): void {
  const store = app.slack.datastore("requests");
  const now = app.slack.now();
  const people = [PEOPLE.bob, PEOPLE.carol, PEOPLE.dave, PEOPLE.erin];
  const endings: RequestState[] = ["expired", "revoked", "denied", "cancelled"];
  for (let i = 0; i < ended; i++) {
    const r = benchRecord(
      crypto.randomUUID(),
      i % 5 === 0 ? PEOPLE.alice : people[i % people.length],
      endings[i % endings.length],
      now,
      (1 + (i % 300)) * DAY_MS,
    );
    store.set(r.id, r);
  }
  for (let i = 0; i < LIVE; i++) {
    const requester = i < 2 ? PEOPLE.alice : people[i % people.length];
    const state = i === 1 || (i > 1 && i % 2) ? "pending" : "granted";
    const r = benchRecord(
      crypto.randomUUID(),
      requester,
      state,
      now,
      30 * 60_000,
      state === "granted" && i % 5 === 0 && i > 0,
    );
    store.set(r.id, r);
    if (i === 0) {
      // Alice's grant, as Tailscale holds it.
      app.tailscale.setAttributeOutside(r.device_id, r.attribute, {
        value: true,
        expiry: r.expires_at!,
      });
    }
  }
}
