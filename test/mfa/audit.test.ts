import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { deliverAudit } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";
import { authorizeParams, codeAt, passwordStep, submitCode, userWithTotp } from "./helpers";

/** Two-factor events reach the audit trail through the shard's outbox (README "Audit trail"), without the codes. */
describe("two-factor audit events", () => {
  it("enrolment, the password step, a wrong code and the right one are recorded for the user", async () => {
    const { clientId } = await registerClient("public");
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    const page = await (await passwordStep(browser, (await authorizeParams(clientId)).params, user)).text();
    const wrong = codeAt(secret, 7);
    const again = await (await submitCode(browser, page, wrong)).text();
    const right = codeAt(secret);
    await submitCode(browser, again, right);

    await deliverAudit(shardOf(await currentDirectoryMap(), bucketOf(user.id)));
    const events = async () => (await env.DB.prepare("SELECT type, data FROM audit_log WHERE user_id = ? ORDER BY at, id").bind(user.id).all<{ type: string; data: string }>()).results;
    await vi.waitFor(async () => expect((await events()).map((e) => e.type)).toEqual(expect.arrayContaining(["mfa.enrolled", "login.password_ok", "mfa.failure", "mfa.success"])), { timeout: 5_000 });
    const recorded = JSON.stringify(await events());
    expect(recorded).not.toContain(wrong);
    expect(recorded).not.toContain(right);
    expect(recorded).not.toContain(secret);
  });
});
