/**
 * zod shapes of the Tailscale API answers the app reads. Only the fields the
 * app uses are kept; everything else is dropped at the boundary.
 *
 * @module
 */
import { z } from "zod";

/** A device as the app uses it. */
export const DeviceSchema = z.object({
  nodeId: z.string().min(1),
  name: z.string().default(""),
  hostname: z.string().default(""),
  user: z.string().default(""),
  os: z.string().default(""),
  addresses: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  lastSeen: z.string().optional(),
});
/** A Tailscale device, reduced to what the app needs. */
export type Device = z.output<typeof DeviceSchema>;

/** `GET /api/v2/tailnet/{tailnet}/devices`. */
export const DeviceListSchema = z.object({ devices: z.array(DeviceSchema) });

/** `POST /api/v2/oauth/token` success. */
export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
});

/** `GET /api/v2/device/{id}/attributes`. */
export const AttributesResponseSchema = z.object({
  attributes: z.record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean()]),
  ),
  expiries: z.record(z.string(), z.string()).optional(),
});

/**
 * Success body of setting a posture attribute: documented as `{}`, but
 * some deployments answer with the device's attributes. Both are accepted.
 */
export const AttributeWriteResponseSchema = z.union([
  z.object({
    attributes: z.record(
      z.string(),
      z.union([z.string(), z.number(), z.boolean()]),
    ),
    expiries: z.record(z.string(), z.string()).optional(),
  }),
  z.object({}),
]);

/** Tailscale's error body, `{"message": "..."}` (OAuth errors may differ). */
export const ErrorBodySchema = z.object({
  message: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * `POST /api/v2/tailnet/{tailnet}/acl/validate`: `{}` when the policy is
 * fine, else a message (and details the app does not need).
 */
export const PolicyValidationSchema = z.object({
  message: z.string().optional(),
});

/** A tailnet user, reduced to what identity mapping needs. */
export const TailnetUserSchema = z.object({
  id: z.string(),
  loginName: z.string(),
  displayName: z.string().default(""),
  status: z.string().default("active"),
});
/** A tailnet user. */
export type TailnetUser = z.output<typeof TailnetUserSchema>;

/** `GET /api/v2/tailnet/{tailnet}/users`. */
export const UserListSchema = z.object({ users: z.array(TailnetUserSchema) });
