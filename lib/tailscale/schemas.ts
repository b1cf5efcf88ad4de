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
  /**
   * Omitted while the device is connected to the control server, and for a
   * device that was never online (spec: Device.lastSeen).
   */
  lastSeen: z.string().optional(),
  /** Whether the device keeps a connection to the control server now. */
  connectedToControl: z.boolean().default(false),
  /** Shared in from another tailnet: never offered, never granted. */
  isExternal: z.boolean().default(false),
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
 * Success body of an attribute write (set, delete, batch). Documented as the
 * device's attributes (set), nothing (delete) or `null` (batch); the live API
 * answers a set with `null` (tailscale/tailscale#18253). Every one of these
 * is a write that happened; an empty body reaches the schema as `null`.
 */
export const AttributeWriteResponseSchema = z.union([
  z.null(),
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
 * `POST /api/v2/tailnet/{tailnet}/acl/validate` answered 200: an empty body
 * or `{}` when the policy is fine; `{"message": "warning(s) found", "data":
 * [{"user", "warnings"}]}` when it is fine with warnings; `{"message":
 * "test(s) failed", "data": [{"user", "errors"}]}` when it is not. (Input it
 * cannot parse is a 400.) An empty body reaches the schema as `null`.
 */
export const PolicyValidationSchema = z.union([
  z.null(),
  z.object({
    message: z.string().optional(),
    data: z.array(z.object({
      user: z.string().optional(),
      errors: z.array(z.string()).nullish(),
      warnings: z.array(z.string()).nullish(),
    })).nullish(),
  }),
]);

/** A tailnet user, reduced to what identity mapping needs. */
export const TailnetUserSchema = z.object({
  id: z.string(),
  loginName: z.string(),
  displayName: z.string().default(""),
  /**
   * `active`, `idle`, `suspended`, `needs-approval` or `over-billing-limit`
   * (spec: User.status); kept as text so a new status does not break a read.
   */
  status: z.string().default("active"),
  role: z.string().default("member"),
});
/** A tailnet user. */
export type TailnetUser = z.output<typeof TailnetUserSchema>;

/** `GET /api/v2/tailnet/{tailnet}/users`. */
export const UserListSchema = z.object({ users: z.array(TailnetUserSchema) });
