// `npm run load:profile`: a CPU profile of authshard under load. Starts authshard under
// wrangler dev with the DevTools inspector, seeds lanes as load:compare does, runs a closed
// loop of one scenario while the profiler samples, writes the .cpuprofile (open it in
// Chrome DevTools or speedscope) and prints the top frames. See docs/profiling.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { integerIn, parseCommand, runMain, UsageError, type CommandSpec, type Options } from "../cli/lib/args.ts";
import { ROOT } from "../cli/lib/wrangler.ts";
import { closedLoop } from "./compare/drive.ts";
import { SCENARIO_NAMES, type ScenarioName } from "./compare/lanes.ts";
import { startAuthshard } from "./compare/targets.ts";
import { Http } from "./http.ts";
import { framesText, topFrames } from "./profile/frames.ts";
import { profileDuring } from "./profile/inspector.ts";
import { LOAD_DIR } from "./state.ts";

const SPEC = {
  usage: "npm run load:profile -- [--scenario refresh|code|userinfo] [--duration S] [--connections N] [--families N]",
  summary: "Takes a CPU profile of authshard (router and shards) while a closed loop of one scenario runs, and prints the top frames.",
  options: {
    scenario: { type: "string", placeholder: "NAME", description: `One of ${SCENARIO_NAMES.join(", ")} (default refresh).` },
    duration: { type: "string", parse: integerIn(2, 120), placeholder: "S", description: "Seconds profiled (default 10)." },
    connections: { type: "string", parse: integerIn(1, 256), placeholder: "N", description: "Closed-loop connections (default 32)." },
    families: { type: "string", parse: integerIn(1, 2000), placeholder: "N", description: "Lanes (default 200)." },
    top: { type: "string", parse: integerIn(5, 200), placeholder: "N", description: "Frames listed (default 25)." },
    "authshard-dir": { type: "string", placeholder: "PATH", description: "Another authshard checkout to profile instead of this one." },
    port: { type: "string", parse: integerIn(1024, 65534), placeholder: "N", description: "authshard's port; the inspector takes the next one (default 8797)." },
  },
} satisfies CommandSpec<Options>;

const log = (line: string) => process.stderr.write(`[profile] ${line}\n`);


async function main(): Promise<void> {
  const flags = parseCommand(SPEC, process.argv.slice(2));
  const scenario = (flags.scenario ?? "refresh") as ScenarioName;
  if (!SCENARIO_NAMES.includes(scenario)) throw new UsageError(`--scenario must be one of ${SCENARIO_NAMES.join(", ")}`);
  const duration = flags.duration ?? 10;
  const connections = flags.connections ?? 32;
  const families = flags.families ?? 200;
  const top = flags.top ?? 25;
  if (connections > families) throw new UsageError("--connections cannot exceed --families: each connection needs lanes of its own");
  const port = flags.port ?? 8797;
  const http = new Http(Math.max(connections, 64));
  const server = await startAuthshard(http, port, resolve(flags["authshard-dir"] ?? ROOT), families, log, port + 1);
  try {
    const codes = Math.ceil((duration * 1500 * 1.2) / families);
    const lanes = await server.lanes(scenario, families, codes);
    // A short warm-up, so the profile shows steady state rather than compilation.
    await closedLoop(http, server.target, scenario, lanes, connections, 2);
    let served = 0;
    const profile = await profileDuring(port + 1, async () => {
      served = (await closedLoop(http, server.target, scenario, lanes, connections, duration)).requests;
    });
    const dir = join(LOAD_DIR, "reports");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `profile-${scenario}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stdout.write(`${scenario}: ${served} requests in ${duration} s\n${framesText(topFrames(profile, top))}\n`);
    log(`profile: ${file}`);
  } finally {
    await server.stop();
  }
}

runMain(main, "run with --help for usage");
