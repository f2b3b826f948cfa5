// Command-line flags of `npm run load`, validated into bounded settings: load goes
// to loopback unless --allow-remote says otherwise, and rate, duration, VUs and
// the total number of iterations have ceilings.
import { UsageError, type CommandSpec, type Values } from "../cli/lib/args.ts";
import { totalArrivals, type Profile } from "./generator.ts";
import { LOAD_PORT } from "./provider.ts";
import { SCENARIOS } from "./scenarios/index.ts";

export const SPEC = {
  usage: "npm run load -- [--full] [--scenarios test1,test2,test3] [--rate N] [--duration S] ...",
  summary:
    "Runs the seed's load scenarios against a local authshard (started with its own storage under\n" +
    "load/.state/ unless one answers already) or any OpenID provider, and writes a JSON and HTML report.",
  options: {
    full: { type: "boolean", description: "The seed's full profile: 300/s for 120 s after a 10 s ramp, 10 s ramp-down." },
    scenarios: { type: "string", placeholder: "LIST", description: `Comma-separated, from: ${SCENARIOS.map((s) => s.name).join(", ")} (default test1,test2,test3).` },
    rate: { type: "string", placeholder: "N", description: "Iterations per second while holding (default 300, the seed's)." },
    duration: { type: "string", placeholder: "S", description: "Seconds at full rate (default 30; --full 120)." },
    ramp: { type: "string", placeholder: "S", description: "Seconds of linear ramp-up (default 10)." },
    "ramp-down": { type: "string", placeholder: "S", description: "Seconds of linear ramp-down (default 0; --full 10)." },
    vus: { type: "string", placeholder: "N", description: "Virtual users, one real user each; also the bound on in-flight iterations (default 300)." },
    users: { type: "string", placeholder: "N", description: "Users the seeder keeps on an authshard target (default 10000)." },
    target: { type: "string", placeholder: "URL", description: `Provider base URL (default: a local authshard on 127.0.0.1:${LOAD_PORT}, started if needed).` },
    port: { type: "string", placeholder: "N", description: `Port of the local load provider (default ${LOAD_PORT}).` },
    "client-id": { type: "string", placeholder: "ID", description: "Client of a foreign target (with --client-secret, --redirect-uri, --vu-file)." },
    "client-secret": { type: "string", placeholder: "S", description: "Its secret (client_secret_basic)." },
    "redirect-uri": { type: "string", placeholder: "URI", description: "Its registered redirect URI." },
    scope: { type: "string", placeholder: "S", description: 'Scope to ask for (default "openid profile email offline_access").' },
    "vu-file": { type: "string", placeholder: "PATH", description: "JSON array of per-VU state for a foreign target: {cookie?, refresh_token?, access_token?}." },
    "allow-remote": { type: "boolean", description: "Permit a target that is not on the loopback interface." },
    "seed-concurrency": { type: "string", placeholder: "N", description: "Parallel user creations and sign-ins (default 8)." },
    concurrency: { type: "string", placeholder: "N", description: "Parallel requests while preparing codes and families (default 32)." },
    "late-ms": { type: "string", placeholder: "MS", description: "A start this much after its schedule counts as late (default 10)." },
    "keep-provider": { type: "boolean", description: "Leave a provider this run started running afterwards." },
  },
  notes:
    "Examples:\n  npm run load                        # TEST 1-3, 30 s each at 300/s\n  npm run load -- --full              # the seed's 120 s profile\n" +
    "  npm run load -- --scenarios userinfo,authorize --rate 100 --duration 20",
} satisfies CommandSpec<Record<string, { type: "string" | "boolean"; description: string; placeholder?: string }>>;

export type Flags = Values<typeof SPEC.options>;

export interface LoadOptions {
  mode: "default" | "full" | "custom";
  scenarios: string[];
  profile: Profile;
  vus: number;
  users: number;
  target: string | null;
  port: number;
  foreign: { clientId: string; clientSecret: string; redirectUri: string; vuFile: string } | null;
  scope: string;
  seedConcurrency: number;
  concurrency: number;
  lateMs: number;
  keepProvider: boolean;
}

export const LIMITS = { rate: 5_000, seconds: 900, vus: 5_000, users: 200_000, iterations: 1_000_000 };
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The number given for --`name`, `fallback` when absent; a UsageError unless it lies in [min, max]. */
export function num<F extends Record<string, string | boolean | undefined>>(flags: F, name: keyof F & string, fallback: number, min: number, max: number): number {
  const raw = flags[name];
  if (raw === undefined || typeof raw === "boolean") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${raw}'`);
  return value;
}

export function resolveOptions(flags: Flags): LoadOptions {
  const scenarios = (flags.scenarios ?? "test1,test2,test3").split(",").map((s) => s.trim()).filter(Boolean);
  for (const s of scenarios) if (!SCENARIOS.some((x) => x.name === s)) throw new UsageError(`unknown scenario '${s}' (known: ${SCENARIOS.map((x) => x.name).join(", ")})`);
  const custom = ["rate", "duration", "ramp", "ramp-down", "vus", "scenarios"].some((k) => flags[k as keyof Flags] !== undefined);
  const profile: Profile = {
    rate: num(flags, "rate", 300, 0.1, LIMITS.rate),
    rampS: num(flags, "ramp", 10, 0, 120),
    holdS: num(flags, "duration", flags.full ? 120 : 30, 1, LIMITS.seconds),
    rampDownS: num(flags, "ramp-down", flags.full ? 10 : 0, 0, 120),
  };
  if (totalArrivals(profile) > LIMITS.iterations) throw new UsageError(`the profile schedules ${totalArrivals(profile)} iterations; the ceiling is ${LIMITS.iterations}`);
  const vus = Math.floor(num(flags, "vus", 300, 1, LIMITS.vus));
  const users = Math.floor(num(flags, "users", 10_000, 1, LIMITS.users));
  if (users < vus) throw new UsageError(`--users (${users}) must be at least --vus (${vus}): each virtual user is a different user`);

  let target: string | null = null;
  if (flags.target !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.target);
    } catch {
      throw new UsageError(`--target is not a URL: '${flags.target}'`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError("--target must be http(s)");
    if (!LOOPBACK.has(url.hostname) && !flags["allow-remote"]) throw new UsageError(`--target ${url.hostname} is not loopback; add --allow-remote if you mean to load it`);
    target = url.href.replace(/\/+$/, "");
  }
  const foreignFlags = [flags["client-id"], flags["client-secret"], flags["redirect-uri"], flags["vu-file"]];
  let foreign: LoadOptions["foreign"] = null;
  if (foreignFlags.some((f) => f !== undefined)) {
    if (foreignFlags.some((f) => f === undefined)) throw new UsageError("a foreign target needs all of --client-id, --client-secret, --redirect-uri and --vu-file");
    if (target === null) throw new UsageError("--client-id and friends need --target");
    foreign = { clientId: flags["client-id"]!, clientSecret: flags["client-secret"]!, redirectUri: flags["redirect-uri"]!, vuFile: flags["vu-file"]! };
  }
  return {
    mode: flags.full && !custom ? "full" : custom ? "custom" : "default",
    scenarios,
    profile,
    vus,
    users,
    target,
    port: Math.floor(num(flags, "port", LOAD_PORT, 1, 65535)),
    foreign,
    scope: flags.scope ?? "openid profile email offline_access",
    seedConcurrency: Math.floor(num(flags, "seed-concurrency", 8, 1, 256)),
    concurrency: Math.floor(num(flags, "concurrency", 32, 1, 1024)),
    lateMs: num(flags, "late-ms", 10, 0, 10_000),
    keepProvider: flags["keep-provider"],
  };
}
