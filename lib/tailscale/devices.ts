/**
 * The device endpoints: the tailnet's device list (whole, or one login's)
 * and one device.
 *
 * @module
 */
import { parseAnswer } from "./answers.ts";
import type { TailscaleHttp } from "./http.ts";
import { type Device, DeviceListSchema, DeviceSchema } from "./schemas.ts";
import { FULL_LISTING_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from "./timing.ts";

/** Which devices `TailscaleClient.listDevices` asks for. */
export type DeviceFilter = {
  /**
   * Only devices registered by this login (Tailscale's server-side filter,
   * an exact match): the person's own devices, and tagged devices they
   * registered, without downloading the whole tailnet.
   */
  user?: string;
};

/**
 * `GET /tailnet/{tailnet}/devices[?user=]`, without devices shared in from
 * other tailnets. The whole list gets the long
 * {@linkcode FULL_LISTING_TIMEOUT_MS}; one login's, the usual timeout.
 *
 * @example
 * ```ts
 * const mine = await listDevices(http, { user: "alice@example.com" });
 * ```
 */
export async function listDevices(
  http: TailscaleHttp,
  filter: DeviceFilter = {},
): Promise<Device[]> {
  const query = filter.user === undefined
    ? ""
    : `?${new URLSearchParams({ user: filter.user })}`;
  const body = await http.call(
    filter.user === undefined
      ? "listing the tailnet's devices"
      : `listing the devices of ${filter.user}`,
    "GET",
    http.tailnetPath(`/devices${query}`),
    (res, operation) => parseAnswer(operation, res, DeviceListSchema),
    {
      timeoutMs: filter.user === undefined
        ? FULL_LISTING_TIMEOUT_MS
        : REQUEST_TIMEOUT_MS,
    },
  );
  return body.devices.filter((d) => !d.isExternal);
}

/**
 * `GET /device/{nodeId}`: one device by node ID (or legacy ID).
 *
 * @example
 * ```ts
 * const device = await getDevice(http, "nABC123");
 * ```
 */
export function getDevice(
  http: TailscaleHttp,
  nodeId: string,
): Promise<Device> {
  return http.request(
    `reading device ${nodeId}`,
    "GET",
    `/api/v2/device/${encodeURIComponent(nodeId)}`,
    DeviceSchema,
  );
}
