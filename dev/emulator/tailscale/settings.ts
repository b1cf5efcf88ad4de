/**
 * `GET /tailnet/{tailnet}/settings` (spec: getTailnetSettings, schema
 * TailnetSettings). What a caller sees depends on its scopes: the two
 * `acls*` fields need `policy_file:read`, `networkFlowLoggingOn` needs
 * `logs:network:read`, the others `feature_settings:read`.
 *
 * @module
 */
import { HttpError, type Reply, type RouteTable } from "./http.ts";
import {
  type OAuthClient,
  READ_FEATURE_SETTINGS,
  READ_NETWORK_LOGS,
  READ_POLICY,
} from "./oauth.ts";
import type { Tailnet } from "./tailnet.ts";
import type { TailnetSettingsInit } from "./types.ts";

// Demo values for the settings the app never reads, as the schema types
// them (booleans may be null; the demo tailnet has each one set).
const FEATURE_SETTINGS = {
  devicesApprovalOn: false,
  devicesAutoUpdatesOn: true,
  devicesKeyDurationDays: 180,
  usersApprovalOn: true,
  usersRoleAllowedToJoinExternalTailnets: "member",
  regionalRoutingOn: false,
  postureIdentityCollectionOn: false,
  httpsEnabled: true,
} as const;

/**
 * The tailnet's settings and their endpoint.
 *
 * @example
 * ```ts
 * const settings = new TailnetSettings(oauth, tailnet);
 * settings.set({ aclsExternallyManagedOn: true });
 * const routes = settings.routes();
 * ```
 */
export class TailnetSettings {
  #aclsExternallyManagedOn = false;
  #aclsExternalLink = "";
  readonly #oauth: OAuthClient;
  readonly #tailnet: Tailnet;

  /** `init`: the `acls*` settings the tailnet starts with (default off). */
  constructor(
    oauth: OAuthClient,
    tailnet: Tailnet,
    init?: TailnetSettingsInit,
  ) {
    this.#oauth = oauth;
    this.#tailnet = tailnet;
    if (init) this.set(init);
  }

  /** The settings endpoint's route. */
  routes(): RouteTable {
    return [
      [/^tailnet\/([^/]+)\/settings$/, {
        methods: ["GET"],
        run: (req, _u, _t, [tailnet]) => this.#get(req, tailnet),
      }],
    ];
  }

  /**
   * Changes the `acls*` settings (fields not given keep their value), as an
   * admin turning on GitOps would. Throws for a link that is not a URL.
   */
  set(init: TailnetSettingsInit): void {
    const link = init.aclsExternalLink;
    if (link !== undefined && link !== "" && !URL.canParse(link)) {
      throw new Error(`TailscaleFake: aclsExternalLink ${link} is not a URL`);
    }
    this.#aclsExternallyManagedOn = init.aclsExternallyManagedOn ??
      this.#aclsExternallyManagedOn;
    this.#aclsExternalLink = link ?? this.#aclsExternalLink;
  }

  #get(req: Request, tailnet: string): Reply {
    const any = [
      ...READ_FEATURE_SETTINGS,
      ...READ_POLICY,
      ...READ_NETWORK_LOGS,
    ];
    try {
      this.#oauth.authorize(req, any);
    } catch (e) {
      // The spec documents no 403 here, and does not say what a client
      // with none of the scopes gets: a 403, not an empty object (spec is
      // silent; stricter choice).
      if (!(e instanceof HttpError) || e.status !== 403) throw e;
      throw new HttpError(
        403,
        `insufficient scope: reading tailnet settings needs "feature_settings:read" (the acls* settings: "policy_file:read")`,
      );
    }
    this.#tailnet.checkName(tailnet);
    // Each field is shown only to a client holding its scope; the others
    // are left out (spec is silent on partial scopes; stricter choice).
    const body: Record<string, unknown> = {};
    if (this.#oauth.allows(READ_POLICY)) {
      body.aclsExternallyManagedOn = this.#aclsExternallyManagedOn;
      // Not nullable in the schema: unset is an empty string.
      body.aclsExternalLink = this.#aclsExternalLink;
    }
    if (this.#oauth.allows(READ_FEATURE_SETTINGS)) {
      Object.assign(body, FEATURE_SETTINGS);
    }
    if (this.#oauth.allows(READ_NETWORK_LOGS)) {
      body.networkFlowLoggingOn = false;
    }
    return { status: 200, body };
  }
}
