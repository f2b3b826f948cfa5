// Operator commands for the audit trail: `npm run audit -- <command> [options]`.
import { CliError } from "./lib/args.ts";
import { adminClient } from "./lib/admin-client.ts";
import { okBody, print, runCommands, simpleCommand, type Command } from "./lib/admin-commands.ts";
import { formatEvents, parseWhen, queryAudit } from "./lib/audit-query.ts";

function when(name: string, raw: string | undefined, fallback: number, now: number): number {
  if (raw === undefined) return fallback;
  const t = parseWhen(raw, now);
  if (t === null) throw new CliError(`--${name} must be an ISO 8601 time, milliseconds since the epoch, or a duration like 12h or 7d, got '${raw}'`);
  return t;
}

const commands: Record<string, Command> = {
  query: simpleCommand(
    "audit",
    "query",
    "A user's audit events, oldest first: the D1 window, and the R2 archive for anything older.",
    {
      user: { type: "string", required: true, placeholder: "ID", description: "User id." },
      since: { type: "string", placeholder: "WHEN", description: "Start: ISO 8601, epoch ms, or 30m / 12h / 7d ago (default 7d)." },
      until: { type: "string", placeholder: "WHEN", description: "End, same forms (default now)." },
    },
    async (v) => {
      const now = Date.now();
      const since = when("since", v.since, now - 7 * 86_400_000, now);
      const until = when("until", v.until, now + 60_000, now);
      if (until <= since) throw new CliError("--until must be later than --since");
      const client = adminClient({ url: v.url });
      const result = await queryAudit((path) => client.request("GET", path), (res) => okBody(res, [200]), v.user, since, until);
      const res = { status: 200, body: { user_id: v.user, since, until, window_start: result.windowStart, events: result.events } };
      print(v.json, res, () => formatEvents(v.user, result.events));
    },
    "Events older than the D1 window (AUDIT_RETENTION_DAYS) are read from the R2 archive, 31 days per request.",
  ),
};

runCommands("audit", commands);
