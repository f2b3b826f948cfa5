import type { Env } from "../env";
import { MAX_SHARDS } from "../shard/map";

/** Validated, frozen configuration. `loadConfig` is the only reader of env variables. */
export interface Config {
  /** Issuer URL without a trailing slash; every URL the provider emits is built from it. */
  readonly issuer: string;
  /** Shards created with the first map; later changes go through rebalancing. */
  readonly shardCount: number;
  /** Operator API bearer token; null turns the operator API off. */
  readonly adminToken: string | null;
  /** How long a router isolate trusts its cached shard map. */
  readonly mapCacheTtlMs: number;
  /** How long a request may wait for a fenced bucket before 503 temporarily_unavailable. */
  readonly shardRetryBudgetMs: number;
  /** Cookies get `Secure` unless the issuer is a loopback http URL. */
  readonly secureCookies: boolean;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function parseIssuer(raw: string | undefined): { issuer: string; loopback: boolean } {
  if (raw === undefined || raw.trim() === "") throw new ConfigError("ISSUER", "is required (e.g. https://id.example.com)");
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError("ISSUER", `is not a URL: ${JSON.stringify(raw)}`);
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError("ISSUER", "must use https (http is allowed only for localhost / 127.0.0.1)");
  }
  if (url.search || url.hash) throw new ConfigError("ISSUER", "must not have a query or fragment (OIDC Discovery §3)");
  if (url.username || url.password) throw new ConfigError("ISSUER", "must not contain credentials");
  return { issuer: url.href.replace(/\/+$/, ""), loopback };
}

function parseInteger(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(variable, `must be an integer, got ${JSON.stringify(raw)}`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(variable, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function parseAdminToken(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length < 16) throw new ConfigError("ADMIN_TOKEN", "must be at least 16 characters (or unset to turn the operator API off)");
  return raw;
}

export function parseConfig(env: Partial<Env>): Config {
  const { issuer, loopback } = parseIssuer(env.ISSUER);
  return Object.freeze({
    issuer,
    shardCount: parseInteger("SHARD_COUNT", env.SHARD_COUNT, 4, 1, MAX_SHARDS),
    adminToken: parseAdminToken(env.ADMIN_TOKEN),
    mapCacheTtlMs: parseInteger("MAP_CACHE_TTL_MS", env.MAP_CACHE_TTL_MS, 5_000, 0, 300_000),
    shardRetryBudgetMs: parseInteger("SHARD_RETRY_BUDGET_MS", env.SHARD_RETRY_BUDGET_MS, 2_000, 0, 30_000),
    secureCookies: !loopback,
  });
}

const cache = new WeakMap<object, Config>();

/** Parses once per env object (per isolate in production). Throws ConfigError naming the variable. */
export function loadConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}
