import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import { insertIntoWindow } from "../../src/audit/window";
import { deliverAudit } from "../helpers/audit";
import type { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { shardOfUser } from "../passkeys/helpers";
import { consoleSignIn, operatorUser } from "./helpers";

const SEALED = "sealed-upstream-tokens-must-not-leak";

/** Links an upstream identity in the user's shard, through the federation method's sign-in (no real upstream). */
async function link(userId: string, provider: string, sealedTokens: string | null) {
  const bucket = bucketOf(userId);
  const result = await stubFor(env, await shardOfUser(userId)).federation({
    op: "signIn", bucket, userId, create: null,
    link: { provider, subject: `sub-${provider}`, email: "upstream@example.com", sealedTokens },
    session: { idHash: crypto.randomUUID(), sid: crypto.randomUUID() }, amr: ["fed"], ask: null,
  });
  expect(result.ok).toBe(true);
}

type Identities = { user_id: string; identities: Record<string, unknown>[] };
type Usage = { client_id: string; window_start: number; events: Record<string, number>; not_counted: string[] };

/**
 * The console's user and client pages (README "Admin console"): a user's linked upstream
 * identities (README "Sign in with other providers (federation)", GET /admin/users/:id/identities)
 * and a client's usage counted over the audit window (GET /admin/clients/:id/usage), linked to
 * the audit search by client (GET /admin/audit?client=, README "Audit trail").
 */
describe("console: linked identities and client usage", () => {
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = (await consoleSignIn(await operatorUser("viewer"))).browser;
  });

  it("lists a user's linked identities without the upstream's tokens, on the API and the user page", async () => {
    const user = await createUser();
    const empty = await json<Identities>(await admin("GET", `/users/${user.id}/identities`));
    expect(empty).toEqual({ user_id: user.id, identities: [] });

    await link(user.id, "acme", SEALED);
    await link(user.id, "globex", null);
    const res = await admin("GET", `/users/${user.id}/identities`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SEALED);
    const { identities } = JSON.parse(text) as Identities;
    expect(identities.map((i) => [i.provider, i.subject, i.email, i.tokens_kept])).toEqual([
      ["acme", "sub-acme", "upstream@example.com", true],
      ["globex", "sub-globex", "upstream@example.com", false],
    ]);
    expect(Object.keys(identities[0]!).sort()).toEqual(["email", "last_sign_in_at", "linked_at", "provider", "subject", "tokens_kept"]);

    const page = await browser.get(`/admin/console/users/${user.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="identities"');
    expect(html).toContain("sub-acme");
    expect(html).not.toContain(SEALED);
  });

  it("an unknown or malformed user id is 404", async () => {
    expect((await admin("GET", "/users/AAAAAAAAAAAAAAAAAAAAAA/identities")).status).toBe(404);
    expect((await admin("GET", "/users/x/identities")).status).toBe(404);
  });

  it("counts a client's events in the audit window, and more after a sign-in and token for it; the page links to the audit search", async () => {
    const registered = await registerClient("confidential");
    const before = await json<Usage>(await admin("GET", `/clients/${registered.clientId}/usage`));
    // The registration itself is an operator change of the client; nothing else yet.
    expect(before.events).toEqual({ "admin.change": 1 });
    expect(before.window_start).toBeLessThan(Date.now());
    // AUDIT_WINDOW_SKIP's default keeps token.issued out of the window (README "Audit trail").
    expect(before.not_counted).toEqual(["token.issued"]);

    const user = await createUser();
    const issued = await issueCode(registered.clientId, { user });
    expect((await tokenRequest(redeemFields(issued), basic(registered.clientId, registered.secret!))).status).toBe(200);
    // The shard's outbox → the audit queue → its consumer writes the window (flushed here, or already on its way).
    await deliverAudit(await shardOfUser(user.id));
    const after = await vi.waitFor(async () => {
      const usage = await json<Usage>(await admin("GET", `/clients/${registered.clientId}/usage`));
      expect(usage.events).toMatchObject({ "admin.change": 1, "login.success": 1, "consent.granted": 1 });
      return usage;
    });
    expect(after.client_id).toBe(registered.clientId);
    expect(after.events["token.issued"]).toBeUndefined();

    // Where token.issued does reach the window (AUDIT_WINDOW_SKIP=none) it is counted; an event older than the window is not.
    const now = Date.now();
    const record = (id: string, at: number) => ({ id, at, type: "token.issued", user_id: user.id, client_id: registered.clientId, bucket: bucketOf(user.id), shard: "shard-0", data: {} });
    await insertIntoWindow(env.DB, [record(`usage-${crypto.randomUUID()}`, now), record(`usage-${crypto.randomUUID()}`, after.window_start - 60_000)], 0);
    const counted = await json<Usage>(await admin("GET", `/clients/${registered.clientId}/usage`));
    expect(counted.events["token.issued"]).toBe(1);

    const page = await browser.get(`/admin/console/clients/${registered.clientId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="usage"');
    expect(html).toContain("login.success");
    expect(html).toContain(`/admin/console/audit?client=${registered.clientId}`);

    // The link: the audit search by client alone, through GET /admin/audit?client=.
    const { events } = await json<{ events: { type: string; client_id: string }[] }>(await admin("GET", `/audit?client=${registered.clientId}`));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["admin.change", "login.success", "consent.granted", "token.issued"]));
    expect(events.every((e) => e.client_id === registered.clientId)).toBe(true);
    const search = await browser.get(`/admin/console/audit?client=${registered.clientId}`);
    expect(search.status).toBe(200);
    expect(await search.text()).toContain("consent.granted");
  });

  it("the audit search by client refuses a user and a client together, and the archive by client (400)", async () => {
    expect((await admin("GET", "/audit?client=c1&user=u")).status).toBe(400);
    expect((await admin("GET", "/audit?client=c1&source=archive")).status).toBe(400);
  });

  it("usage of an unknown client is 404, of a malformed id 400", async () => {
    expect((await admin("GET", "/clients/no-such-client/usage")).status).toBe(404);
    expect((await admin("GET", `/clients/${"x".repeat(200)}/usage`)).status).toBe(400);
  });
});
