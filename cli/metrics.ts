// `npm run metrics`: the request metrics of a deployment (Workers Analytics Engine).
import { CliError, parseCommand, runMain, type CommandSpec, type Options } from "./lib/args.ts";
import { formatRows, metricsQueries, runQuery } from "./lib/metrics-queries.ts";

const options = {
  hours: { type: "string", placeholder: "N", description: "Look back N hours (default 1)." },
  "account-id": { type: "string", placeholder: "ID", description: "Cloudflare account id (default: $CLOUDFLARE_ACCOUNT_ID). With $CLOUDFLARE_API_TOKEN (Account Analytics: Read) the queries run." },
  only: { type: "string", placeholder: "NAME", description: "One query: endpoints, budget, shards or errors." },
} as const satisfies Options;

const spec: CommandSpec<typeof options> = {
  usage: "npm run metrics -- [options]",
  name: "metrics",
  summary: "Print (and with an account, run) the operator's Analytics Engine queries.",
  options,
  notes: "Without an account id and token the queries are printed, to paste into the dashboard or curl.\nLocally, `npm run load` reports the same counts from the provider's metrics mode.",
};

runMain(async () => {
  const v = parseCommand(spec, process.argv.slice(2));
  const hours = v.hours === undefined ? 1 : Number(v.hours);
  if (!Number.isInteger(hours) || hours < 1 || hours > 2160) throw new CliError(`--hours must be an integer between 1 and 2160, got '${v.hours}'`);
  let queries = metricsQueries(hours);
  if (v.only !== undefined) {
    queries = queries.filter((q) => q.name === v.only);
    if (queries.length === 0) throw new CliError(`--only must be one of ${metricsQueries(1).map((q) => q.name).join(", ")}, got '${v.only}'`);
  }
  const account = v["account-id"] ?? process.env.CLOUDFLARE_ACCOUNT_ID;
  const token = process.env.CLOUDFLARE_API_TOKEN;
  for (const query of queries) {
    process.stdout.write(`## ${query.title}\n`);
    if (account && token) process.stdout.write(`${formatRows((await runQuery(fetch, account, token, query.sql)).data)}\n\n`);
    else process.stdout.write(`${query.sql};\n\n`);
  }
}, () => "Run `npm run metrics -- --help` for usage.");
