import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { createUser } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

/** FLUSH_DELAY_MS in src/actors/user-shard.ts: how long an audit event may wait in the outbox. */
const FLUSH_DELAY_MS = 1_000;

const alarmOf = (stub: ReturnType<typeof stubFor>) => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());

describe("the outbox flush alarm", () => {
  it("a restarted shard, whose alarm is armed only for the next sweep, still flushes soon after a write", async () => {
    const user = await createUser();
    const bucket = bucketOf(user.id);
    const shard = stubFor(env, shardOf(await currentDirectoryMap(), bucket));
    // The flush after user.created runs; the alarm then re-arms itself for the sweep, minutes away.
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await alarmOf(shard)).toBeGreaterThan(Date.now() + 60_000);

    await evictDurableObject(shard); // in-memory state gone, as after a restart
    const disabled = await shard.disableUser(bucket, user.id); // appends user.disabled
    expect(disabled.ok).toBe(true);

    const alarm = await alarmOf(shard);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(Date.now() + FLUSH_DELAY_MS);
  });

  it("an operation that records an event and then fails still schedules the flush", async () => {
    const user = await createUser();
    const bucket = bucketOf(user.id);
    const shard = stubFor(env, shardOf(await currentDirectoryMap(), bucket));
    const ask = {
      clientId: "flush-alarm-client",
      maxAge: null,
      forceConsent: true,
      code: { codeHash: `code-${crypto.randomUUID()}`, clientId: "flush-alarm-client", redirectUri: "http://localhost/cb", scope: "openid", codeChallenge: null, nonce: null, ttlS: 60 },
    };
    const session = { idHash: `session-${crypto.randomUUID()}`, sid: `sid-${crypto.randomUUID()}` };
    expect(await shard.completeLogin(bucket, user.id, true, session, ask)).toMatchObject({ ok: true, outcome: "consent_required" });
    // Disabled behind the session's back (disableUser would end the session too), so that the
    // consent step below records its event and only then finds the account disabled.
    await runInDurableObject(shard, (_instance, state) => void state.storage.sql.exec("UPDATE users SET disabled = 1 WHERE id = ?", user.id));
    expect(await runDurableObjectAlarm(shard)).toBe(true); // outbox flushed; the alarm now waits for the sweep
    expect(await alarmOf(shard)).toBeGreaterThan(Date.now() + 60_000);

    // The consent is recorded (consent.granted appended), then the disabled user fails the code step.
    const granted = await shard.grantConsent(bucket, session.idHash, session.sid, ask);
    expect(granted).toMatchObject({ ok: false, error: "login_required" });
    const stats = await shard.stats();
    expect(stats.ok && stats.outbox > 0).toBe(true);
    expect(await alarmOf(shard)).toBeLessThanOrEqual(Date.now() + FLUSH_DELAY_MS);
  });
});
