/**
 * Users in the Tailscale emulator: `GET /tailnet/{tailnet}/users` (with its
 * `type` and `role` filters). Device owners are users too; users named
 * explicitly (options, `setUser`) come first.
 *
 * @module
 */
import {
  HttpError,
  type Reply,
  rfc3339,
  type RouteTable,
  stableHex,
} from "./http.ts";
import { type OAuthClient, READ_USERS } from "./oauth.ts";
import type { Tailnet } from "./tailnet.ts";
import type {
  FakeDevice,
  FakeUserInit,
  StoredUser,
  UserRole,
} from "./types.ts";

const TAILNET_ID = "T1234CNTRL";
const USER_CREATED = "2024-01-15T09:00:00Z";
const USER_TYPES = ["member", "shared"] as const;
const USER_ROLES: readonly UserRole[] = [
  "owner",
  "member",
  "admin",
  "it-admin",
  "network-admin",
  "billing-admin",
  "auditor",
];

/**
 * The tailnet's users, and the users endpoint.
 *
 * @example
 * ```ts
 * const users = new TailnetUsers(oauth, tailnet);
 * users.set({ loginName: "dave@example.com", role: "admin" });
 * const routes = users.routes();
 * ```
 */
export class TailnetUsers {
  /** loginName → user, for users named explicitly (options or setUser). */
  readonly #users = new Map<string, StoredUser>();
  readonly #oauth: OAuthClient;
  readonly #tailnet: Tailnet;

  constructor(oauth: OAuthClient, tailnet: Tailnet) {
    this.#oauth = oauth;
    this.#tailnet = tailnet;
  }

  /** The users endpoint's route. */
  routes(): RouteTable {
    return [
      [/^tailnet\/([^/]+)\/users$/, {
        methods: ["GET"],
        run: (req, url, _t, [tailnet]) => this.#listUsers(req, url, tailnet),
      }],
    ];
  }

  /**
   * Adds a user or changes one (fields not given keep their value, or the
   * defaults of {@link FakeUserInit}). Works for device owners too.
   */
  set(init: FakeUserInit): void {
    const previous = this.#users.get(init.loginName) ??
      this.#defaultUser(init.loginName);
    this.#users.set(init.loginName, {
      loginName: init.loginName,
      displayName: init.displayName ?? previous.displayName,
      status: init.status ?? previous.status,
      role: init.role ?? previous.role,
      type: init.type ?? previous.type,
    });
  }

  /**
   * Logins of the tailnet's members (`type: member`, named or owning a
   * device): what `autogroup:member` stands for in the policy file.
   */
  memberLogins(): Set<string> {
    const logins = new Set<string>();
    for (const d of this.#tailnet.devices.values()) {
      if (ownsDevice(d) && !this.#users.has(d.user)) logins.add(d.user);
    }
    for (const u of this.#users.values()) {
      if (u.type === "member") logins.add(u.loginName);
    }
    return logins;
  }

  #defaultUser(loginName: string): StoredUser {
    return {
      loginName,
      displayName: loginName.split("@")[0],
      status: "active",
      role: "member",
      type: "member",
    };
  }

  #listUsers(req: Request, url: URL, tailnet: string): Reply {
    // Documented: 404 "Tailnet not found, or user does not have access to
    // read users" (not a 403).
    this.#oauth.authorize(req, READ_USERS, 404);
    this.#tailnet.checkName(tailnet);
    const type = url.searchParams.get("type") ?? "member";
    if (type !== "all" && !(USER_TYPES as readonly string[]).includes(type)) {
      throw new HttpError(
        400,
        `invalid type "${type}": use member, shared or all`,
      );
    }
    const role = url.searchParams.get("role") ?? "all";
    if (role !== "all" && !(USER_ROLES as readonly string[]).includes(role)) {
      throw new HttpError(
        400,
        `invalid role "${role}": use ${USER_ROLES.join(", ")} or all`,
      );
    }
    // Device owners are users too; explicitly named users come first.
    const users = new Map(this.#users);
    const owned = new Map<string, FakeDevice[]>();
    for (const d of this.#tailnet.devices.values()) {
      if (!ownsDevice(d)) continue;
      if (!users.has(d.user)) users.set(d.user, this.#defaultUser(d.user));
      owned.set(d.user, [...owned.get(d.user) ?? [], d]);
    }
    return {
      status: 200,
      body: {
        users: [...users.values()]
          .filter((u) =>
            (type === "all" || u.type === type) &&
            (role === "all" || u.role === role)
          )
          .map((u) => this.#userJson(u, owned.get(u.loginName) ?? [])),
      },
    };
  }

  /** The API's user JSON; device facts come from the devices it owns. */
  #userJson(u: StoredUser, owned: FakeDevice[]): Record<string, unknown> {
    const connected = owned.some((d) => d.connectedToControl);
    const seen = connected
      ? [this.#tailnet.clock()]
      : owned.flatMap((d) => d.lastSeen ? [Date.parse(d.lastSeen)] : []);
    return {
      id: `u${stableHex(u.loginName).slice(0, 12)}`,
      displayName: u.displayName,
      loginName: u.loginName,
      profilePicUrl: "",
      tailnetId: TAILNET_ID,
      created: USER_CREATED,
      type: u.type,
      role: u.role,
      status: u.status,
      deviceCount: owned.length,
      // Never seen: the creation time (the Go client's User.LastSeen is
      // not optional, so the field is always there).
      lastSeen: seen.length ? rfc3339(Math.max(...seen)) : USER_CREATED,
      currentlyConnected: connected,
    };
  }
}

/** A device owned by a person (untagged, in this tailnet). */
function ownsDevice(d: FakeDevice): boolean {
  return !d.tags?.length && !d.isExternal && d.user !== "";
}
