/**
 * The request that travels from the form to the approval step.
 *
 * It carries identifiers only: the profile is looked up again in the current
 * `config.ts` and the device again in Tailscale when the request is decided,
 * so nothing shown to the approver or granted comes from stale or forged
 * workflow data.
 *
 * @module
 */
import { DefineType, Schema } from "deno-slack-sdk/mod.ts";
import { z } from "zod";

/** Slack custom type for the request, used as a workflow step output/input. */
export const AccessRequestType = DefineType({
  name: "AccessRequest",
  type: Schema.types.object,
  additionalProperties: false,
  required: [
    "id",
    "requester",
    "attribute",
    "device_id",
    "duration_seconds",
    "approver",
    "reason",
  ],
  properties: {
    /** Key of the request's record in the `requests` datastore. */
    id: { type: Schema.types.string },
    requester: { type: Schema.slack.types.user_id },
    /** The profile's key (its attribute or group): its identity in config.ts. */
    attribute: { type: Schema.types.string },
    /** Tailscale node ID of the chosen device; empty for a group profile. */
    device_id: { type: Schema.types.string },
    /** For a group profile: the Tailscale login the approver is asked to add. */
    login: { type: Schema.types.string },
    duration_seconds: { type: Schema.types.integer },
    approver: { type: Schema.slack.types.user_id },
    reason: { type: Schema.types.string },
    /** For an extension: the ID of the grant it extends. */
    extends: { type: Schema.types.string },
    /** When the access is to start, if later than its approval (ISO time). */
    starts_at: { type: Schema.types.string },
  },
});

/** The request as the app checks it when it arrives as a function input. */
export const AccessRequestSchema = z.object({
  id: z.string().min(1),
  requester: z.string().regex(/^[UW][A-Z0-9]+$/),
  attribute: z.string().min(1),
  /** Empty for a group profile, which has no device. */
  device_id: z.string(),
  login: z.string().min(1).optional(),
  duration_seconds: z.number().int().positive(),
  approver: z.string().regex(/^[UW][A-Z0-9]+$/),
  reason: z.string().trim().min(1),
  extends: z.string().min(1).optional(),
  starts_at: z.string().datetime().optional(),
});

/** A request for access, as submitted. */
export type AccessRequest = z.output<typeof AccessRequestSchema>;
