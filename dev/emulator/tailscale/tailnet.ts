/**
 * The tailnet the Tailscale emulator serves: its devices (by nodeId, with
 * their legacy ids) and their custom attributes, with Tailscale's lazy
 * expiry (an expired attribute lingers "a few minutes").
 *
 * @module
 */
import { HttpError } from "./http.ts";
import type {
  AttributeValue,
  CustomAttributes,
  FakeDevice,
  StoredAttribute,
} from "./types.ts";

/** How the tailnet is set up. */
export type TailnetOptions = {
  /** Tailnet name accepted in `/tailnet/{tailnet}/` besides `-`. */
  name: string;
  /** Wall clock in epoch ms, for attribute expiry. */
  clock: () => number;
  /** How long an expired attribute stays visible after its expiry. */
  expiryLingerMs: number;
};

/**
 * Devices and their custom attributes.
 *
 * @example
 * ```ts
 * const tailnet = new Tailnet({
 *   name: "example.com",
 *   clock: Date.now,
 *   expiryLingerMs: 180_000,
 * });
 * tailnet.addDevice(demoDevice("alice-laptop"));
 * tailnet.customAttributes("nAL1CE1CNTRL"); // { attributes: {}, … }
 * ```
 */
export class Tailnet {
  /** Tailnet name accepted in `/tailnet/{tailnet}/` besides `-`. */
  readonly name: string;
  /** Wall clock in epoch ms. */
  readonly clock: () => number;
  /** nodeId → device; insertion order is the listing order. */
  readonly devices: Map<string, FakeDevice> = new Map();
  /** nodeId → attribute key → attribute. */
  readonly attributes: Map<string, Map<string, StoredAttribute>> = new Map();
  /** Legacy id → nodeId, since the API accepts either. */
  readonly #legacyIds = new Map<string, string>();
  readonly #expiryLingerMs: number;

  constructor(opts: TailnetOptions) {
    this.name = opts.name;
    this.clock = opts.clock;
    this.#expiryLingerMs = opts.expiryLingerMs;
  }

  /** Adds a device (a copy), or replaces the one with the same nodeId. */
  addDevice(d: FakeDevice): void {
    const owner = this.#legacyIds.get(d.id);
    if (owner !== undefined && owner !== d.nodeId) {
      throw new Error(
        `TailscaleFake: legacy id ${d.id} already used by ${owner}`,
      );
    }
    const previous = this.devices.get(d.nodeId);
    if (previous) this.#legacyIds.delete(previous.id);
    this.devices.set(d.nodeId, structuredClone(d));
    this.#legacyIds.set(d.id, d.nodeId);
    if (!this.attributes.has(d.nodeId)) {
      this.attributes.set(d.nodeId, new Map());
    }
  }

  /** Removes a device and its attributes; throws for an unknown nodeId. */
  removeDevice(nodeId: string): void {
    const device = this.devices.get(nodeId);
    if (!device) throw new Error(`TailscaleFake: no device ${nodeId}`);
    this.devices.delete(nodeId);
    this.#legacyIds.delete(device.id);
    this.attributes.delete(nodeId);
  }

  /** The device with this nodeId or legacy id. */
  findDevice(id: string): FakeDevice | undefined {
    return this.devices.get(id) ??
      this.devices.get(this.#legacyIds.get(id) ?? "");
  }

  /** The device with this nodeId or legacy id; a 404 when there is none. */
  requireDevice(id: string): FakeDevice {
    const device = this.findDevice(id);
    if (!device) throw new HttpError(404, "device not found");
    return device;
  }

  /**
   * A device whose attributes this tailnet may change. A shared-in device
   * is another tailnet's: refused as the tags endpoint refuses it
   * (tailscale/tailscale#13186); spec is silent; stricter choice.
   */
  requireManageableDevice(id: string): FakeDevice {
    const device = this.requireDevice(id);
    if (device.isExternal) {
      throw new HttpError(404, "no manageable device matching this ID found");
    }
    return device;
  }

  /** A 404 unless `tailnet` names this tailnet (or is `-`). */
  checkName(tailnet: string): void {
    if (tailnet !== "-" && tailnet !== this.name) {
      throw new HttpError(404, "tailnet not found");
    }
  }

  /**
   * Expiry is applied lazily: an attribute is gone on the first look after
   * its expiry plus the linger ("within a few minutes after").
   */
  dropExpired(): void {
    const now = this.clock();
    for (const attrs of this.attributes.values()) {
      for (const [key, a] of attrs) {
        if (
          a.expiresAt !== undefined && a.expiresAt + this.#expiryLingerMs <= now
        ) {
          attrs.delete(key);
        }
      }
    }
  }

  /**
   * Custom attributes on a device as the API shows them now, with their
   * expiries and the comment of the last write. An expired attribute is
   * still here until `expiryLingerMs` after its expiry. Accepts nodeId or
   * legacy id; throws for an unknown device so test typos are loud.
   */
  customAttributes(nodeId: string): CustomAttributes {
    const device = this.findDevice(nodeId);
    if (!device) throw new Error(`TailscaleFake: no device ${nodeId}`);
    this.dropExpired();
    const out: CustomAttributes = {
      attributes: {},
      expiries: {},
      comments: {},
    };
    for (const [key, a] of this.attributes.get(device.nodeId) ?? []) {
      out.attributes[key] = a.value;
      if (a.expiry !== undefined) out.expiries[key] = a.expiry;
      if (a.comment !== undefined) out.comments[key] = a.comment;
    }
    return out;
  }

  /**
   * Changes an attribute as an admin would outside the app (admin console,
   * another tool): `null` removes it. No API rules are applied, so a test
   * may set an expiry in the past (the attribute then lingers like any
   * expired one, or is gone at once when the linger is over too). Throws
   * for an unknown device or an unparsable expiry.
   */
  setAttributeOutside(
    nodeId: string,
    key: string,
    attribute: { value: AttributeValue; expiry?: string } | null,
  ): void {
    const device = this.findDevice(nodeId);
    if (!device) throw new Error(`TailscaleFake: no device ${nodeId}`);
    const attrs = this.attributes.get(device.nodeId)!;
    if (attribute === null) {
      attrs.delete(key);
      return;
    }
    const expiresAt = attribute.expiry === undefined
      ? undefined
      : Date.parse(attribute.expiry);
    if (Number.isNaN(expiresAt)) {
      throw new Error(`TailscaleFake: bad expiry ${attribute.expiry}`);
    }
    attrs.set(key, {
      value: attribute.value,
      ...(attribute.expiry !== undefined
        ? { expiry: attribute.expiry, expiresAt }
        : {}),
      comment: "changed outside the app",
    });
  }
}
