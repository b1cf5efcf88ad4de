/**
 * The one Tailscale API client every function uses: OAuth client
 * credentials, a shared token cache, zod-checked answers and typed errors.
 *
 * The class is the public face; each endpoint lives with its kin
 * (`devices.ts`, `attributes.ts`, `policy_file.ts`, `users.ts`), all built
 * on one request path with its retries and deadline (`http.ts`).
 *
 * @module
 */
import {
  deletePostureAttribute,
  type DeviceAttributes,
  getAttributes,
  type PostureAttributeWrite,
  setPostureAttribute,
} from "./attributes.ts";
import { type DeviceFilter, getDevice, listDevices } from "./devices.ts";
import { TailscaleHttp } from "./http.ts";
import {
  getPolicyFile,
  type PolicyFile,
  type PolicyValidation,
  setPolicyFile,
  validatePolicyFile,
} from "./policy_file.ts";
import {
  type PolicyTest,
  previewRuleMatches,
  type RuleMatch,
  runPolicyTests,
} from "./policy_tests.ts";
import type { Device, TailnetUser } from "./schemas.ts";
import {
  getTailnetSettings,
  type TailnetSettings,
} from "./tailnet_settings.ts";
import type { RetryPolicy } from "./timing.ts";
import { listUsers } from "./users.ts";
import type { Deadline } from "../slack/mod.ts";
import type { TailscaleSettings } from "./settings.ts";
import type { TokenCache } from "./token_cache.ts";

// Kept here too: the constructor's options and the tests name it.
export type { RetryPolicy } from "./timing.ts";

/**
 * A client for one tailnet, authenticated with an OAuth client.
 *
 * @example
 * ```ts
 * const tailscale = new TailscaleClient(settings, datastoreTokenCache(slack), {
 *   deadline,
 * });
 * const devices = await tailscale.listDevices({ user: "alice@example.com" });
 * ```
 */
export class TailscaleClient {
  readonly #http: TailscaleHttp;

  /**
   * With a `deadline` (the handler's, from Slack's time limit), no call
   * waits or retries past it: it fails with `outOfTime` instead.
   */
  constructor(
    settings: TailscaleSettings,
    cache: TokenCache,
    options: {
      fetch?: typeof fetch;
      retry?: Partial<RetryPolicy>;
      deadline?: Deadline;
    } = {},
  ) {
    this.#http = new TailscaleHttp(settings, cache, options);
  }

  /** A device's posture attributes (expired ones are already gone). */
  getAttributes(nodeId: string): Promise<DeviceAttributes> {
    return getAttributes(this.#http, nodeId);
  }

  /**
   * The tailnet's devices (or, with a filter, those that match it), without
   * devices shared in from other tailnets: the app never offers or grants
   * those.
   */
  listDevices(filter: DeviceFilter = {}): Promise<Device[]> {
    return listDevices(this.#http, filter);
  }

  /** One device by node ID (or legacy ID). */
  getDevice(nodeId: string): Promise<Device> {
    return getDevice(this.#http, nodeId);
  }

  /** Creates or replaces a custom posture attribute on a device. */
  setPostureAttribute(
    nodeId: string,
    key: string,
    write: PostureAttributeWrite,
  ): Promise<void> {
    return setPostureAttribute(this.#http, nodeId, key, write);
  }

  /**
   * The tailnet policy file as HuJSON text (comments and formatting kept)
   * with its ETag, for a conditional write.
   */
  getPolicyFile(): Promise<PolicyFile> {
    return getPolicyFile(this.#http);
  }

  /**
   * Asks Tailscale whether `text` would be accepted as the policy file
   * (`acl/validate`, which changes nothing). Warnings do not count against
   * it; a policy Tailscale cannot parse is a `TailscaleApiError` of kind
   * "rejected" (HTTP 400) carrying Tailscale's message.
   */
  validatePolicyFile(text: string): Promise<PolicyValidation> {
    return validatePolicyFile(this.#http, text);
  }

  /**
   * Replaces the policy file, only if it is still the version read
   * (`If-Match`); a 412 is a `TailscaleApiError` of kind "conflict". The
   * answer's body and headers are not needed: the ETag is documented on
   * the read only, so the next change reads the file again.
   */
  setPolicyFile(text: string, etag: string): Promise<void> {
    return setPolicyFile(this.#http, text, etag);
  }

  /**
   * The tailnet's members (for mapping a Slack email to a Tailscale login).
   * The users list answers 404 both for an unknown tailnet and for a client
   * without `users:read` (spec: listUsers); either way the scope is named.
   */
  listUsers(): Promise<TailnetUser[]> {
    return listUsers(this.#http);
  }

  /**
   * Deletes a custom posture attribute (`DELETE …/attributes/{key}`). A 404
   * is a `TailscaleApiError` of kind "not_found": the device is gone, or
   * (the spec is silent) the attribute was not set.
   */
  deletePostureAttribute(nodeId: string, key: string): Promise<void> {
    return deletePostureAttribute(this.#http, nodeId, key);
  }

  /**
   * Runs ACL tests against the live policy file (`acl/validate` with a
   * test array): a failing test is an error line, nothing changes.
   */
  runPolicyTests(tests: readonly PolicyTest[]): Promise<PolicyValidation> {
    return runPolicyTests(this.#http, tests);
  }

  /**
   * The rules of `policyText` that apply to a user or an address, with
   * their line numbers (`acl/preview`); nothing is saved.
   */
  previewRuleMatches(
    policyText: string,
    query: { type: "user" | "ipport"; previewFor: string },
  ): Promise<RuleMatch[]> {
    return previewRuleMatches(this.#http, policyText, query);
  }

  /** Whether the policy file is managed outside the admin console. */
  getTailnetSettings(): Promise<TailnetSettings> {
    return getTailnetSettings(this.#http);
  }
}
