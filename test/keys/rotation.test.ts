import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { retentionMs } from "../../src/actors/key-manager/actor";
import { forgetKeys, publishedJwks, signJwt, verifyJwt } from "../../src/router/keys/cache";
import { admin } from "../helpers/http";
import { claims, config, keyManager, keysIn, kidOf, resetKeys, sqlInKeyManager } from "./helpers";

const publishedKids = async () => (await publishedJwks(env, config)).keys.map((k) => k.kid);

/** Rotates as an operator would, then drops this isolate's cache as other isolates do after their TTL. */
async function rotate(): Promise<void> {
  expect((await admin("POST", "/keys/rotate")).status).toBe(200);
  forgetKeys();
}

beforeEach(resetKeys);

describe("key rotation", () => {
  it("publishes the next key before it signs (OIDC Core §10.1.1: RPs find the kid in the JWKS they cached)", async () => {
    const before = await publishedKids();
    const next = await keysIn("next");
    await rotate();
    for (const alg of ["ES256", "RS256"] as const) {
      const kid = kidOf(await signJwt(env, config, alg, claims()));
      expect(kid).toBe(next.find((k) => k.alg === alg)!.kid);
      expect(before).toContain(kid);
    }
    // The new next keys are published now, and do not sign yet.
    const newNext = await keysIn("next");
    expect(newNext).toHaveLength(2);
    for (const key of newNext) {
      expect(before).not.toContain(key.kid);
      expect(await publishedKids()).toContain(key.kid);
      expect(kidOf(await signJwt(env, config, key.alg, claims()))).not.toBe(key.kid);
    }
  });

  it("JWKS rotation keeps old tokens verifiable until expiry: after one and after two rotations", async () => {
    const es = await signJwt(env, config, "ES256", claims(config.idTokenTtlS), { typ: "JWT" });
    const rs = await signJwt(env, config, "RS256", claims(config.idTokenTtlS));
    const oldKids = [kidOf(es), kidOf(rs)];

    await rotate();
    expect(await publishedKids()).toEqual(expect.arrayContaining(oldKids));
    expect(await verifyJwt(env, config, es, { typ: "JWT" })).toMatchObject({ ok: true, kid: oldKids[0] });
    expect(await verifyJwt(env, config, rs, {})).toMatchObject({ ok: true, kid: oldKids[1] });

    await rotate();
    expect(await publishedKids()).toEqual(expect.arrayContaining(oldKids));
    expect(await verifyJwt(env, config, es, { typ: "JWT" })).toMatchObject({ ok: true });
    expect(await verifyJwt(env, config, rs, {})).toMatchObject({ ok: true });
    const retired = await keysIn("retired");
    expect(retired.map((k) => k.kid)).toEqual(expect.arrayContaining(oldKids));
    expect(retired).toHaveLength(4);
  });

  it("keeps a retired key until the last token it could have signed has expired", async () => {
    await keyManager().keySet();
    await rotate();
    for (const key of await keysIn("retired")) {
      // A router may sign with it for one key-cache TTL after retirement (plus KEY_STALE_SIGNING_S while it
      // cannot reach the key manager); that token lives one token TTL.
      const lastExpiry = key.retired_at! + config.keyCacheTtlMs + config.keyStaleSigningMs + Math.max(config.accessTokenTtlS, config.idTokenTtlS) * 1000;
      expect(key.retire_until!).toBeGreaterThanOrEqual(lastExpiry);
      expect(key.retire_until! - key.retired_at!).toBe(retentionMs(config));
    }
  });

  it("drops a retired key from the JWKS once its retire_until has passed, and the alarm deletes it", async () => {
    const token = await signJwt(env, config, "ES256", claims());
    const oldKid = kidOf(token)!;
    await rotate();
    expect(await verifyJwt(env, config, token, {})).toMatchObject({ ok: true });

    // Move the clock: the retirement is over.
    await sqlInKeyManager("UPDATE signing_keys SET retire_until = ? WHERE state = 'retired'", Date.now() - 1);
    forgetKeys();
    expect(await publishedKids()).not.toContain(oldKid);
    expect(await publishedKids()).toHaveLength(4);
    expect(await verifyJwt(env, config, token, {})).toEqual({ ok: false, reason: "unknown_kid" });
    // Hidden at once; deleted by the alarm.
    expect(await keysIn("retired")).toHaveLength(2);
    expect(await runDurableObjectAlarm(keyManager())).toBe(true);
    expect(await keysIn("retired")).toHaveLength(0);
  });

  it("rotates from the alarm when due, and an alarm firing twice rotates only once", async () => {
    await keyManager().keySet();
    const before = await keysIn();
    const next = before.filter((k) => k.state === "next").map((k) => k.kid).sort();
    await sqlInKeyManager("UPDATE rotation SET rotates_at = ?", Date.now() - 1);

    const alarmAt = await runInDurableObject(keyManager(), async (instance, state) => {
      await instance.alarm();
      await instance.alarm();
      return state.storage.getAlarm();
    });

    const after = await keysIn();
    expect(after.filter((k) => k.state === "active").map((k) => k.kid).sort()).toEqual(next);
    expect(after.filter((k) => k.state === "retired")).toHaveLength(2);
    expect(after.filter((k) => k.state === "next")).toHaveLength(2);
    expect(after).toHaveLength(6);
    const { rotatesAt } = await keyManager().listKeys();
    expect(rotatesAt!).toBeGreaterThanOrEqual(Date.now() + config.keyRotationIntervalS * 1000 - 60_000);
    // The next wake-up is the first retirement's end, which comes before the next rotation.
    expect(alarmAt).toBe(Math.min(rotatesAt!, ...after.filter((k) => k.retire_until !== null).map((k) => k.retire_until!)));
  });

  it("an alarm that fires before the rotation is due changes nothing", async () => {
    await keyManager().keySet();
    const before = await keysIn();
    expect(await runDurableObjectAlarm(keyManager())).toBe(true);
    expect(await keysIn()).toEqual(before);
  });

  it("schedules the alarm for the rotation when keys are first created", async () => {
    await keyManager().keySet();
    const { rotatesAt } = await keyManager().listKeys();
    const alarmAt = await runInDurableObject(keyManager(), (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).toBe(rotatesAt);
  });
});
