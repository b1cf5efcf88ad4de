/**
 * Tests that call the Slack emulator in-process through the SDK's client:
 * one fake per test, closed afterwards, and the Deno.test options such
 * tests need on Deno 1.x.
 */
import { SlackAPI } from "deno-slack-sdk/mod.ts";
import {
  SLACK_CLIENT_TEST_OPTIONS,
  SlackFake,
  type SlackFakeOptions,
} from "../dev/emulator/slack.ts";
import type { SlackClient } from "../lib/context.ts";

/** A test whose body uses the SDK's client (see SLACK_CLIENT_TEST_OPTIONS). */
export function sdkTest(name: string, fn: () => Promise<void>): void {
  Deno.test(name, SLACK_CLIENT_TEST_OPTIONS, fn);
}

/** Runs `fn` with a started Slack emulator and a bot client for it. */
export async function withFake(
  fn: (fake: SlackFake, client: SlackClient) => Promise<void>,
  opts: SlackFakeOptions = {},
): Promise<void> {
  const fake = await SlackFake.start(opts);
  try {
    await fn(fake, SlackAPI(fake.botToken, { slackApiUrl: fake.apiUrl }));
  } finally {
    await fake.close();
  }
}
