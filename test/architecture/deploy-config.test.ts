import { resolve } from "node:path";
import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";

/**
 * wrangler.jsonc's production environment (README "Deploy to Cloudflare"). Environments
 * inherit no bindings, so a binding added to the local configuration and forgotten in
 * production would be undefined in production only; this keeps the two in step.
 */
const configPath = resolve(import.meta.dirname, "../../wrangler.jsonc");
/** The parts of wrangler's resolved configuration compared here. */
interface Resolved {
  name: string;
  vars: Record<string, unknown>;
  durable_objects: { bindings: Array<{ name: string; class_name: string }> };
  d1_databases: Array<{ binding: string; database_name?: string }>;
  queues: { producers?: Array<{ binding: string; queue: string }>; consumers?: unknown[] };
  r2_buckets: Array<{ binding: string; bucket_name?: string }>;
  kv_namespaces: Array<{ binding: string }>;
  analytics_engine_datasets: Array<{ binding: string }>;
  ratelimits: Array<{ name: string; simple: { limit: number; period: number } }>;
  triggers: { crons?: string[] };
}

const local = unstable_readConfig({ config: configPath }) as unknown as Resolved;
const production = unstable_readConfig({ config: configPath, env: "production" }) as unknown as Resolved;

function bindings(config: Resolved): Record<string, string[]> {
  return {
    durable_objects: config.durable_objects.bindings.map((b) => `${b.name}:${b.class_name}`).sort(),
    d1: config.d1_databases.map((d) => d.binding).sort(),
    queue_producers: config.queues.producers?.map((q) => q.binding).sort() ?? [],
    queue_consumers: String(config.queues.consumers?.length ?? 0).split(","),
    r2: config.r2_buckets.map((r) => r.binding).sort(),
    kv: config.kv_namespaces.map((k) => k.binding).sort(),
    analytics_engine: config.analytics_engine_datasets.map((a) => a.binding).sort(),
    ratelimits: config.ratelimits.map((r) => `${r.name}:${r.simple.limit}/${r.simple.period}`).sort(),
    crons: config.triggers.crons ?? [],
  };
}

describe("production deploy configuration", () => {
  it("binds everything the local configuration binds", () => {
    expect(bindings(production)).toEqual(bindings(local));
  });

  it("uses its own resources and an https issuer with 64 shards", () => {
    expect(production.name).toBe("authshard-production");
    expect(production.vars.ISSUER).toMatch(/^https:\/\//);
    expect(production.vars.SHARD_COUNT).toBe("64");
    expect(production.queues.producers?.[0]?.queue).toBe("authshard-production-audit");
    expect(production.d1_databases[0]?.database_name).toBe("authshard-production");
    expect(production.r2_buckets.map((r) => r.bucket_name)).toEqual(["authshard-production-audit", "authshard-production-backups", "authshard-production-branding"]);
  });
});
