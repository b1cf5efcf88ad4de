/**
 * The workspace the Slack emulator's methods share: its people, channels,
 * DMs and user groups, open views and interactivity pointers, posted
 * messages, the Block Kit problems found so far, and the emulator-wide
 * counter behind IDs, view hashes and message timestamps.
 *
 * @module
 */
import { formatViolation, type Violation } from "../block_kit_rules.ts";
import { FAKE_TEAM_ID, PEOPLE, slackPeople } from "../slack_people.ts";
import { SlackApiError } from "./api.ts";
import type {
  BlockKitViolation,
  FakeChannel,
  FakeMessage,
  FakeSlackUser,
  FakeUsergroup,
  FakeView,
  SlackFakeOptions,
} from "./types.ts";

const DEFAULT_USERGROUPS: readonly FakeUsergroup[] = [{
  id: "S0APPROVE1",
  handle: "prod-approvers",
  name: "Production approvers",
  users: [PEOPLE.bob, PEOPLE.carol],
}];

const DEFAULT_CHANNELS: readonly FakeChannel[] = [
  { id: "C0NOTIFY01", name: "access-log", is_private: false, is_member: true },
  { id: "C0PRIVATE1", name: "secret", is_private: true, is_member: false },
];

/** An interactivity pointer as issued: for whom, when, and whether used. */
export type Pointer = { user: string; issuedAt: number; used: boolean };

/**
 * The state the views, chat, people and conversations methods share.
 *
 * @example
 * ```ts
 * const ws = new SlackWorkspace({});
 * ws.nextId("V"); // "V0FAKE00001"
 * ```
 */
export class SlackWorkspace {
  /** Wall clock in epoch ms. */
  readonly clock: () => number;
  readonly users: Map<string, FakeSlackUser> = new Map();
  readonly channels: Map<string, FakeChannel> = new Map();
  /** DM channel id -> user id. */
  readonly dms: Map<string, string> = new Map();
  readonly usergroups: Map<string, FakeUsergroup> = new Map();
  /** Open views by id. */
  readonly views: Map<string, FakeView> = new Map();
  readonly pointers: Map<string, Pointer> = new Map();
  /** Every posted message in its latest state, ephemeral ones included. */
  readonly messages: FakeMessage[] = [];
  /** Block Kit problems found on any call so far. */
  readonly blockKitViolations: BlockKitViolation[] = [];
  #counter = 0;
  #lastTsMicros = 0;

  constructor(opts: SlackFakeOptions) {
    this.clock = opts.clock ?? Date.now;
    for (const u of opts.users ?? slackPeople()) this.addUser(u);
    for (const c of opts.channels ?? DEFAULT_CHANNELS) {
      this.channels.set(c.id, { ...c });
    }
    for (const g of opts.usergroups ?? DEFAULT_USERGROUPS) {
      this.usergroups.set(g.id, { ...g, users: [...g.users] });
    }
  }

  /** Adds a person (or replaces the one with the same ID). */
  addUser(user: FakeSlackUser): void {
    this.users.set(user.id, { team_id: FAKE_TEAM_ID, ...user });
  }

  /** The next value of the emulator-wide counter. */
  count(): number {
    return ++this.#counter;
  }

  /** A new ID such as "V0FAKE00001" (views) or "Ft0FAKE00002" (triggers). */
  nextId(prefix: string): string {
    return `${prefix}0FAKE${String(this.count()).padStart(5, "0")}`;
  }

  /** A new view hash. */
  newHash(): string {
    const n = this.count();
    return `${Math.floor(this.clock() / 1000)}.${n.toString(36)}fake`;
  }

  /** Unique, increasing "seconds.micros" timestamps that track the clock. */
  nextTs(): string {
    const micros = Math.max(
      this.#lastTsMicros + 100,
      Math.floor(this.clock()) * 1000,
    );
    this.#lastTsMicros = micros;
    const seconds = Math.floor(micros / 1e6);
    const frac = String(micros % 1e6).padStart(6, "0");
    return `${seconds}.${frac}`;
  }

  /** Records violations and turns them into Slack's error reply. */
  rejectBlocks(
    method: string,
    violations: Violation[],
    error: "invalid_arguments" | "invalid_blocks",
  ): void {
    if (!violations.length) return;
    for (const v of violations) this.blockKitViolations.push({ method, ...v });
    const messages = violations.map(formatViolation);
    // views.* say invalid_arguments; chat.* say invalid_blocks and also list
    // the bare messages under `errors`, as Slack does.
    throw new SlackApiError(error, {
      ...(error === "invalid_blocks"
        ? {
          errors: violations.map((v) =>
            `${v.message} [json-pointer:${v.path}]`
          ),
        }
        : {}),
      response_metadata: { messages },
    });
  }
}

/** The DM channel the bot shares with a user: D + the user ID's tail. */
export function dmChannelId(userId: string): string {
  return `D${userId.slice(1)}`;
}
