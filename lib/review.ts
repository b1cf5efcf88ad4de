/**
 * Deciding a request: everything the approval step re-reads before anyone
 * decides, and the decision itself.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import type { AccessRequest } from "./access_request.ts";
import { lookupPerson } from "./approvers.ts";
import type { Outcome, RequestSummary } from "./blocks/approval_messages.ts";
import { type Config, findProfile, type Profile } from "./config_schema.ts";
import { grantAccess, grantComment } from "./grant.ts";
import {
  TailscaleApiError,
  type TailscaleClient,
  tailscaleFromEnv,
} from "./tailscale/mod.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/** A request with everything needed to decide it. */
export type Review = {
  request: AccessRequest;
  profile: Profile;
  tailscale: TailscaleClient;
  summary: RequestSummary;
};

/**
 * Looks the request's profile up in the current config and its device up in
 * Tailscale. Fails with a sentence for the requester when either is gone or
 * Tailscale cannot be reached.
 */
export async function loadReview(
  request: AccessRequest,
  config: Config,
  env: Record<string, string>,
  client: SlackClient,
): Promise<{ ok: true; review: Review } | { ok: false; message: string }> {
  const profile = findProfile(config, request.attribute);
  if (!profile) {
    return {
      ok: false,
      message:
        `The access profile \`${request.attribute}\` is no longer offered, so this request cannot go ahead. Nothing was granted.`,
    };
  }
  const built = tailscaleFromEnv(env, client);
  if (!built.ok) {
    return {
      ok: false,
      message: `The app is not connected to Tailscale (${
        built.missing.join(" and ")
      } not set), so nothing was granted. Ask a tailnet admin to set them with \`slack env add\`.`,
    };
  }
  try {
    const device = await built.tailscale.getDevice(request.device_id);
    return {
      ok: true,
      review: {
        request,
        profile,
        tailscale: built.tailscale,
        summary: {
          requesterId: request.requester,
          approverId: request.approver,
          profile,
          device,
          durationSeconds: request.duration_seconds,
          reason: request.reason,
        },
      },
    };
  } catch (e) {
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      return {
        ok: false,
        message:
          `The device chosen for ${profile.description} (\`${request.device_id}\`) no longer exists in the tailnet, so nothing was granted.`,
      };
    }
    return {
      ok: false,
      message: `Could not read the chosen device from Tailscale: ${
        errorText(e)
      } Nothing was granted.`,
    };
  }
}

/**
 * Carries out the decision. An approval writes the attribute first; the
 * outcome is "granted" only once Tailscale has accepted it.
 */
export async function decide(
  review: Review,
  client: SlackClient,
  approved: boolean,
  now: Date,
): Promise<Outcome> {
  if (!approved) return { kind: "denied" };
  const { request } = review;
  const [requester, approver] = await Promise.all([
    lookupPerson(client, request.requester),
    lookupPerson(client, request.approver),
  ]);
  try {
    const expiresAt = await grantAccess(review.tailscale, {
      nodeId: review.summary.device.nodeId,
      attribute: review.profile.attribute,
      durationSeconds: request.duration_seconds,
      comment: grantComment({
        requester,
        requesterId: request.requester,
        approver,
        approverId: request.approver,
        reason: request.reason,
      }),
      now,
    });
    return {
      kind: "granted",
      expiresAt,
      selfApproved: request.requester === request.approver,
    };
  } catch (e) {
    console.error(`grant failed: ${errorText(e)}`);
    return { kind: "failed", error: errorText(e) };
  }
}

/** An error as a sentence for people (Tailscale errors already are). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.trim();
  return String(e);
}
