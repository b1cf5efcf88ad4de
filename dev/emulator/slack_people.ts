/**
 * The seed workspace members of the fake Slack. Time zones are spread around
 * the world so approver local times differ, and two edge cases are included:
 * a deactivated account and an account without an email address.
 *
 * @module
 */
import type { FakeSlackUser } from "./slack/types.ts";

/** The seed users' IDs, for readable tests (`PEOPLE.alice`). */
export const PEOPLE = {
  alice: "U0ALICE01",
  bob: "U0BOB0001",
  carol: "U0CAROL01",
  dave: "U0DAVE001",
  erin: "U0ERIN001",
  /** Deactivated: users.info says deleted, lookupByEmail cannot find them. */
  gone: "U0GONE001",
  /** Has no email in their profile (e.g. a guest or SCIM edge case). */
  nomail: "U0NOMAIL1",
} as const;

/** The team every seed user belongs to. */
export const FAKE_TEAM_ID = "T0FAKETEAM";

const SEED: readonly FakeSlackUser[] = [
  {
    id: PEOPLE.alice,
    name: "alice",
    real_name: "Alice Archer",
    email: "alice@example.com",
    tz: "Europe/London",
    tz_label: "Greenwich Mean Time",
    tz_offset: 0,
  },
  {
    id: PEOPLE.bob,
    name: "bob",
    real_name: "Bob Baker",
    email: "bob@example.com",
    tz: "America/New_York",
    tz_label: "Eastern Standard Time",
    tz_offset: -18000,
  },
  {
    id: PEOPLE.carol,
    name: "carol",
    real_name: "Carol Chen",
    email: "carol@example.com",
    tz: "Asia/Tokyo",
    tz_label: "Japan Standard Time",
    tz_offset: 32400,
  },
  {
    id: PEOPLE.dave,
    name: "dave",
    real_name: "Dave Diaz",
    email: "dave@example.com",
    tz: "America/Los_Angeles",
    tz_label: "Pacific Standard Time",
    tz_offset: -28800,
  },
  {
    id: PEOPLE.erin,
    name: "erin",
    real_name: "Erin Evans",
    email: "erin@example.com",
    tz: "Europe/Berlin",
    tz_label: "Central European Time",
    tz_offset: 3600,
  },
  {
    id: PEOPLE.gone,
    name: "gone",
    real_name: "Gary Gone",
    email: "gone@example.com",
    tz: "America/Chicago",
    tz_label: "Central Standard Time",
    tz_offset: -21600,
    deleted: true,
  },
  {
    id: PEOPLE.nomail,
    name: "nomail",
    real_name: "Nina Nomail",
    tz: "Australia/Sydney",
    tz_label: "Australian Eastern Daylight Time",
    tz_offset: 39600,
  },
];

/** Fresh copies of the seed users, safe for a test to modify. */
export function slackPeople(): FakeSlackUser[] {
  return SEED.map((u) => ({ team_id: FAKE_TEAM_ID, ...u }));
}
