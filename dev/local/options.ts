/**
 * The command line of `deno task local`: its options, their usage text,
 * and the durations it reads ("90m", "1h", "2d").
 *
 * @module
 */

/** The usage text `--help` prints. */
export const USAGE = `Usage: deno task local [options]

Plays a complete access request against local Slack and Tailscale emulators,
using this repository's config.ts, and prints what each person saw.

Options:
  --decision approve|deny   what the approver decides (default: approve)
  --profile NAME            profile description or attribute (default: the first)
  --duration D              e.g. 30m, 1h, 2d or seconds (default: the form's default)
  --requester NAME          demo person (alice, bob, carol, dave, erin) or email (default: alice)
  --serve                   keep the emulators running and print their URLs
  --json                    print the transcript as JSON
  --help                    this text`;

/** Parsed command line. */
export type LocalOptions = {
  decision: "approve" | "deny";
  profile?: string;
  duration?: string;
  requester: string;
  serve: boolean;
  json: boolean;
};

/** Parses `--flag value` and `--flag=value`; throws with a usage hint. */
export function parseArgs(args: string[]): LocalOptions | "help" {
  const opts: LocalOptions = {
    decision: "approve",
    requester: "alice",
    serve: false,
    json: false,
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        return "help";
      case "--serve":
        opts.serve = true;
        break;
      case "--json":
        opts.json = true;
        break;
      case "--decision": {
        const v = value();
        if (v !== "approve" && v !== "deny") {
          throw new Error(`--decision must be approve or deny, not "${v}"`);
        }
        opts.decision = v;
        break;
      }
      case "--profile":
        opts.profile = value();
        break;
      case "--duration":
        opts.duration = value();
        break;
      case "--requester":
        opts.requester = value();
        break;
      default:
        throw new Error(`unknown option "${args[i]}"`);
    }
  }
  return opts;
}

/** "90m", "1h", "2d", "45s" or plain seconds → seconds. */
export function parseDuration(text: string): number {
  const m = text.trim().match(/^(\d+)\s*([smhd]?)$/i);
  if (!m) throw new Error(`cannot read duration "${text}" (try 30m, 1h, 2d)`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2].toLowerCase()]!;
  return Number(m[1]) * unit;
}
