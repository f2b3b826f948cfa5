// `npm run load:compare`: authshard and the ceiling worker (load/ceiling) side by side in
// one window, alternating, round after round: closed-loop throughput, latency at a fixed
// rate, CPU per request, and the ratio authshard/ceiling. See README "Load tests".
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { integerIn, parseCommand, runMain, UsageError, type CommandSpec, type Options } from "../cli/lib/args.ts";
import { ROOT } from "../cli/lib/wrangler.ts";
import { closedLoop, fixedRate } from "./compare/drive.ts";
import { SCENARIO_NAMES, type ScenarioName } from "./compare/lanes.ts";
import { markdown, summarizeRounds, type RoundResult } from "./compare/table.ts";
import { startAuthshard, startCeiling, type Server } from "./compare/targets.ts";
import { Http } from "./http.ts";
import { LOAD_DIR } from "./state.ts";

const SPEC = {
  usage: "npm run load:compare -- [--rounds N] [--duration S] [--connections N] [--rate N] [--families N] [--scenarios refresh,code,userinfo]",
  summary:
    "Starts authshard and the minimal-work ceiling worker (load/ceiling) under wrangler dev, seeds both, and\n" +
    "measures them alternately in one window: closed-loop req/s, p50/p95/p99 at a fixed rate, CPU per request.",
  options: {
    rounds: { type: "string", parse: integerIn(1, 9), placeholder: "N", description: "Rounds; each measures both targets, alternating which goes first (default 3)." },
    duration: { type: "string", parse: integerIn(2, 120), placeholder: "S", description: "Seconds of each closed-loop and fixed-rate run (default 15)." },
    connections: { type: "string", parse: integerIn(1, 256), placeholder: "N", description: "Closed-loop connections (default 32)." },
    rate: { type: "string", parse: integerIn(1, 2000), placeholder: "N", description: "Requests per second of the fixed-rate run (default 200)." },
    families: { type: "string", parse: integerIn(1, 2000), placeholder: "N", description: "Lanes per target: refresh families, users with codes, access tokens (default 400)." },
    scenarios: { type: "string", placeholder: "LIST", description: `Comma-separated, from: ${SCENARIO_NAMES.join(", ")} (default all).` },
    "authshard-dir": { type: "string", placeholder: "PATH", description: "Another authshard checkout to measure instead of this one (e.g. an older commit)." },
    port: { type: "string", parse: integerIn(1024, 65534), placeholder: "N", description: "authshard's port; the ceiling takes the next one (default 8797)." },
  },
  notes: "Example:\n  npm run load:compare -- --rounds 1 --duration 5 --scenarios refresh",
} satisfies CommandSpec<Options>;

/** Seconds of unmeasured closed loop before each measured one. */
const WARMUP_S = 2;

const log = (line: string) => process.stderr.write(`[compare] ${line}\n`);


async function main(): Promise<void> {
  const flags = parseCommand(SPEC, process.argv.slice(2));
  const rounds = flags.rounds ?? 3;
  const duration = flags.duration ?? 15;
  const connections = flags.connections ?? 32;
  const rate = flags.rate ?? 200;
  const families = flags.families ?? 400;
  const port = flags.port ?? 8797;
  const scenarios = (flags.scenarios ?? SCENARIO_NAMES.join(",")).split(",") as ScenarioName[];
  for (const s of scenarios) if (!SCENARIO_NAMES.includes(s)) throw new UsageError(`unknown scenario ${s}; choose from ${SCENARIO_NAMES.join(", ")}`);
  if (connections > families) throw new UsageError("--connections cannot exceed --families: each connection needs lanes of its own");
  const sourceDir = resolve(flags["authshard-dir"] ?? ROOT);

  const http = new Http(Math.max(connections, 64));
  const servers: Server[] = [];
  try {
    servers.push(await startAuthshard(http, port, sourceDir, families, log));
    servers.push(await startCeiling(http, port + 1, log));
    // A code run needs a code for every request, the warm-up's too: as many as the ceiling could serve, with margin.
    const codesPerLane = Math.ceil((Math.max((duration + WARMUP_S) * 1500, rate * duration) * 1.2) / families);
    const results: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of scenarios) {
        const order = round % 2 === 1 ? servers : [...servers].reverse();
        for (const server of order) {
          const name = server.target.name;
          log(`round ${round}: ${scenario} on ${name}: preparing ${families} lanes`);
          const lanes = await server.lanes(scenario, families, codesPerLane);
          // Unmeasured: the first requests of a path run before the JIT has compiled it, which the
          // ceiling's few functions finish within milliseconds and authshard's within seconds.
          await closedLoop(http, server.target, scenario, lanes, connections, WARMUP_S);
          await server.settle();
          const closed = await closedLoop(http, server.target, scenario, lanes, connections, duration);
          const fixedLanes = scenario === "code" ? await server.lanes(scenario, families, Math.ceil((rate * duration * 1.2) / families)) : lanes;
          // The closed loop's audit backlog (and the codes just minted) is not the fixed rate's work.
          await server.settle();
          const fixed = await fixedRate(http, server.target, scenario, fixedLanes, rate, duration);
          log(`  ${name}: ${closed.reqPerS} req/s closed (${closed.errors} errors, ${closed.cpuMsPerRequest ?? "?"} CPU ms/req); at ${rate}/s p99 ${fixed.latency.p99} ms (${fixed.errors} errors)`);
          results.push({ round, scenario, target: name, closed, fixed });
        }
      }
    }
    const { rows, ratios } = summarizeRounds(results);
    const text = markdown(rows, ratios, rate);
    process.stdout.write(`${text}\n`);
    const dir = join(LOAD_DIR, "reports");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `compare-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify({ settings: { rounds, duration, connections, rate, families, scenarios, sourceDir }, rows, ratios, results }, null, 2));
    log(`report: ${file}`);
  } finally {
    for (const s of servers) await s.stop();
  }
}

runMain(main, "run with --help for usage");

