import { DurableObject } from "cloudflare:workers";
import { and, asc, eq, isNotNull, lte, min } from "drizzle-orm";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import { calculateJwkThumbprint } from "jose/jwk/thumbprint";
import { exportJWK } from "jose/key/export";
import { generateKeyPair } from "jose/key/generate/keypair";
import type { JWK } from "jose";
import migrations from "../../../schema/do/key-manager/migrations/migrations.js";
import * as tables from "../../../schema/do/key-manager/tables";
import type { Env } from "../../env";
import { loadConfig, type Config } from "../../config";
import { SIGNING_ALGS, type SigningAlg } from "../../oauth/signing-alg";
import type { KeyInfo, KeyManagerApi, KeySet, KeyState, SamlKeys } from "./api";
import { samlKeysOf } from "./saml-certificates";

type KeyDb = DrizzleSqliteDODatabase<typeof tables>;
type KeyTx = Parameters<Parameters<KeyDb["transaction"]>[0]>[0];
type KeyRow = typeof tables.signingKeys.$inferSelect;

interface NewKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

/**
 * Beyond the longest token lifetime and the router's key cache, a retired key stays
 * published this much longer, for clock skew between us and relying parties.
 */
const RETIRE_MARGIN_MS = 5 * 60_000;

/**
 * KeyManagerActor: the one object (`idFromName("keys")`) that creates and rotates
 * signing keys. Per algorithm there is one active key (signs) and one next key
 * (published, not yet signing), so relying parties have the next key in their JWKS
 * cache before any token carries its kid. Retired keys stay published until every
 * token they signed has expired, then the alarm deletes them.
 *
 * Key generation is async, so it runs under blockConcurrencyWhile (no other request
 * interleaves) and before the one synchronous transaction that writes the result.
 */
export class KeyManagerActor extends DurableObject<Env> implements KeyManagerApi {
  private readonly db: KeyDb;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = drizzle(ctx.storage, { schema: tables });
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(this.db, migrations);
    });
  }

  /** Active private keys and the published JWKS; creates the first keys on first use. */
  async keySet(): Promise<KeySet> {
    if (SIGNING_ALGS.some((alg) => keysNeeded(this.db, alg, false) > 0)) {
      await this.ctx.blockConcurrencyWhile(() => this.writeKeys(false));
    }
    return this.db.transaction((tx) => readKeySet(tx, Date.now()));
  }

  /** Rotates now, whatever the schedule (operators; tests). Returns the new key set. */
  async rotate(): Promise<KeySet> {
    await this.ctx.blockConcurrencyWhile(() => this.writeKeys(true));
    return this.db.transaction((tx) => readKeySet(tx, Date.now()));
  }

  /** Every stored key with its state and dates, for the operator API. */
  listKeys(): { keys: KeyInfo[]; rotatesAt: number | null } {
    return this.db.transaction((tx) => ({
      keys: tx.select().from(tables.signingKeys).orderBy(asc(tables.signingKeys.createdAt)).all().map(keyInfo),
      rotatesAt: tx.select().from(tables.rotation).get()?.rotatesAt ?? null,
    }));
  }

  /** SAML 2.0 IdP: the RS256 keys as certificates (src/actors/key-manager/saml-certificates.ts). */
  async samlKeys(): Promise<SamlKeys> {
    const set = await this.keySet();
    const rows = this.db.select().from(tables.signingKeys).where(eq(tables.signingKeys.alg, "RS256")).all();
    const published = new Set(set.jwks.map((jwk) => jwk.kid));
    return samlKeysOf(rows.filter((row) => published.has(row.kid)), new URL(loadConfig(this.env).issuer).host);
  }

  /**
   * Rotates when the schedule says so and deletes retired keys past `retire_until`.
   * Alarms fire at least once: a second run finds the rotation no longer due and
   * only reschedules, so firing twice never rotates twice.
   */
  override async alarm(): Promise<void> {
    await this.ctx.blockConcurrencyWhile(async () => {
      const schedule = this.db.select().from(tables.rotation).get();
      if (schedule && schedule.rotatesAt <= Date.now()) await this.writeKeys(true, schedule.rotatesAt);
      else this.db.transaction((tx) => deleteExpired(tx, Date.now()));
    });
    await this.scheduleAlarm();
  }

  /**
   * Generates the keys a rotation (or the first use) needs, then writes them in one
   * transaction. `dueAt` makes an alarm's rotation conditional on the schedule not
   * having moved meanwhile.
   */
  private async writeKeys(rotate: boolean, dueAt?: number): Promise<void> {
    const fresh = new Map<SigningAlg, NewKey[]>();
    for (const alg of SIGNING_ALGS) {
      fresh.set(alg, await Promise.all(Array.from({ length: keysNeeded(this.db, alg, rotate) }, () => generateKey(alg))));
    }
    const config = loadConfig(this.env);
    this.db.transaction((tx) => {
      const now = Date.now();
      const schedule = tx.select().from(tables.rotation).get();
      if (dueAt !== undefined && schedule?.rotatesAt !== dueAt) return;
      for (const alg of SIGNING_ALGS) {
        if (rotate) retireActive(tx, alg, now, now + retentionMs(config));
        fillStates(tx, alg, fresh.get(alg) ?? [], now);
      }
      deleteExpired(tx, now);
      if (rotate || !schedule) {
        const row = { id: 1, rotatesAt: now + config.keyRotationIntervalS * 1000, lastRotatedAt: rotate ? now : null };
        tx.insert(tables.rotation).values(row).onConflictDoUpdate({ target: tables.rotation.id, set: row }).run();
      }
    });
    await this.scheduleAlarm();
  }

  /** The alarm wakes for whichever comes first: the next rotation or a retired key's end. */
  private async scheduleAlarm(): Promise<void> {
    const rotatesAt = this.db.select().from(tables.rotation).get()?.rotatesAt;
    if (rotatesAt === undefined) return;
    const firstExpiry = this.db
      .select({ at: min(tables.signingKeys.retireUntil) })
      .from(tables.signingKeys)
      .where(eq(tables.signingKeys.state, "retired"))
      .get()?.at;
    await this.ctx.storage.setAlarm(Math.min(rotatesAt, firstExpiry ?? rotatesAt));
  }
}

/**
 * How long a retired key must stay published: routers may keep signing with it for
 * one key-cache TTL after the rotation — and, while they cannot reach this actor,
 * for KEY_STALE_SIGNING_S more (src/router/keys/cache.ts) — and what they sign lives
 * at most the longest token lifetime.
 */
export function retentionMs(config: Config): number {
  return Math.max(config.accessTokenTtlS, config.idTokenTtlS) * 1000 + config.keyCacheTtlMs + config.keyStaleSigningMs + RETIRE_MARGIN_MS;
}

async function generateKey(alg: SigningAlg): Promise<NewKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = publicMembers(await exportJWK(publicKey));
  // RFC 7638: the kid is the SHA-256 thumbprint, so it is stable and derivable by anyone.
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  return { kid, alg, publicJwk: { ...publicJwk, kid, alg, use: "sig" }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg } };
}

/** Only the public members (RFC 7518 §6.2.1, §6.3.1), so a stray private member can never be published. */
function publicMembers(jwk: JWK): JWK {
  if (jwk.kty === "EC") return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  if (jwk.kty === "RSA") return { kty: jwk.kty, n: jwk.n, e: jwk.e };
  throw new TypeError(`unsupported key type ${String(jwk.kty)}`);
}

function findKey(tx: KeyTx | KeyDb, alg: SigningAlg, state: KeyState): KeyRow | undefined {
  return tx
    .select()
    .from(tables.signingKeys)
    .where(and(eq(tables.signingKeys.alg, alg), eq(tables.signingKeys.state, state)))
    .get();
}

/** New keys `alg` needs so that it has an active and a next key (after retiring the active one when rotating). */
function keysNeeded(db: KeyDb, alg: SigningAlg, rotate: boolean): number {
  const hasActive = !rotate && findKey(db, alg, "active") !== undefined;
  const hasNext = findKey(db, alg, "next") !== undefined;
  // Two slots, active and next; an existing next key moves into the active slot.
  return 2 - Number(hasActive) - Number(hasNext);
}

function retireActive(tx: KeyTx, alg: SigningAlg, now: number, retireUntil: number): void {
  tx.update(tables.signingKeys)
    .set({ state: "retired", retiredAt: now, retireUntil })
    .where(and(eq(tables.signingKeys.alg, alg), eq(tables.signingKeys.state, "active")))
    .run();
}

/** Next becomes active if there is no active key; new keys fill what is still missing. */
function fillStates(tx: KeyTx, alg: SigningAlg, fresh: NewKey[], now: number): void {
  const insert = (key: NewKey, state: KeyState) => {
    tx.insert(tables.signingKeys)
      .values({ ...key, state, createdAt: now, activatedAt: state === "active" ? now : null })
      .run();
  };
  if (!findKey(tx, alg, "active")) {
    const next = findKey(tx, alg, "next");
    if (next) {
      tx.update(tables.signingKeys).set({ state: "active", activatedAt: now }).where(eq(tables.signingKeys.kid, next.kid)).run();
    } else {
      insert(takeKey(fresh, alg), "active");
    }
  }
  if (!findKey(tx, alg, "next")) insert(takeKey(fresh, alg), "next");
}

function takeKey(fresh: NewKey[], alg: SigningAlg): NewKey {
  const key = fresh.shift();
  // Only reachable if keysNeeded and fillStates disagree: a bug, not a runtime condition.
  if (!key) throw new Error(`no generated ${alg} key left to install`);
  return key;
}

function deleteExpired(tx: KeyTx, now: number): void {
  tx.delete(tables.signingKeys)
    .where(and(eq(tables.signingKeys.state, "retired"), isNotNull(tables.signingKeys.retireUntil), lte(tables.signingKeys.retireUntil, now)))
    .run();
}

const STATE_ORDER: Record<KeyState, number> = { active: 0, next: 1, retired: 2 };

function readKeySet(tx: KeyTx, now: number): KeySet {
  const rows = tx
    .select()
    .from(tables.signingKeys)
    .all()
    .filter((row) => row.state !== "retired" || (row.retireUntil ?? 0) > now)
    // Active keys first, ES256 (the default) first: relying parties that ignore kid take the first key.
    .sort((a, b) => STATE_ORDER[a.state as KeyState] - STATE_ORDER[b.state as KeyState] || a.alg.localeCompare(b.alg) || b.createdAt - a.createdAt);
  const activeOf = (alg: SigningAlg) => {
    const row = rows.find((r) => r.alg === alg && r.state === "active");
    if (!row) throw new Error(`no active ${alg} key`);
    return { kid: row.kid, privateJwk: row.privateJwk };
  };
  return {
    active: { ES256: activeOf("ES256"), RS256: activeOf("RS256") },
    jwks: rows.map((row) => ({ ...publicMembers(row.publicJwk), kid: row.kid, alg: row.alg as SigningAlg, use: "sig" })),
    rotatesAt: tx.select().from(tables.rotation).get()?.rotatesAt ?? 0,
  };
}

function keyInfo(row: KeyRow): KeyInfo {
  return {
    kid: row.kid,
    alg: row.alg as SigningAlg,
    state: row.state as KeyState,
    created_at: row.createdAt,
    activated_at: row.activatedAt,
    retired_at: row.retiredAt,
    retire_until: row.retireUntil,
  };
}
