import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USER } from "../../cli/lib/seed.ts";
import { addUser, alertOf, answerPages, loginPage, redeem, signInThrough, userIdByEmail, userinfoOf } from "./flows.ts";
import { browse, CookieJar, hidden, startWorker, type RunningWorker } from "./workers.ts";

/**
 * Sign in with an upstream OpenID provider — a second authshard, a real one (README "Sign in
 * with other providers (federation)"). The downstream discovers it (OpenID Connect Discovery
 * 1.0 §4), sends the person there with PKCE (RFC 7636), state and nonce, checks the answer's
 * iss (RFC 9207 §2.4), redeems the code and verifies the ID token (OIDC Core §3.1.3.7) against
 * the upstream's JWKS. Then: just-in-time account, returning user, linking by verified email
 * under each policy, refusal for an unverified email, 20 concurrent first sign-ins → one user.
 */
let up: RunningWorker;
let down: RunningWorker;

async function registerUpstream(id: string, linkPolicy: "never" | "verified_email", extra: Record<string, unknown> = {}) {
  const res = await down.admin.request("PUT", `/admin/upstreams/${id}`, {
    preset: "oidc", issuer: up.base, client_id: "downstream", client_secret: "downstream-secret-0123456789", display_name: `Upstream ${id}`, link_policy: linkPolicy, ...extra,
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`upstream ${id}: ${res.status} ${JSON.stringify(res.body)}`);
}

beforeAll(async () => {
  [up, down] = await Promise.all([startWorker("up"), startWorker("down", { FEDERATION_TIMEOUT_MS: "2000" })]);
  const client = await up.admin.request("PUT", "/admin/clients/downstream", {
    client_name: "Downstream", client_type: "confidential", client_secret: "downstream-secret-0123456789", token_endpoint_auth_method: "client_secret_basic",
    redirect_uris: [`${down.base}/federation-callback`], grant_types: ["authorization_code"], scope: "openid email profile",
  });
  if (client.status !== 201 && client.status !== 200) throw new Error(`upstream client: ${client.status} ${JSON.stringify(client.body)}`);
  await registerUpstream("up", "never");
  await registerUpstream("up-link", "verified_email", { trust_amr: true });
}, 180_000);

afterAll(async () => {
  await Promise.all([up?.dispose(), down?.dispose()]);
});

describe("federation: sign in with an upstream OpenID provider", () => {
  it("the first sign-in creates the account just in time from the upstream's claims; amr is fed (RFC 8176 §2)", async () => {
    await addUser(up, { email: "alice@upstream.test", password: "alice-password", name: "Alice Upstream", email_verified: true });
    const { claims, tokens } = await signInThrough(down, "up", { email: "alice@upstream.test", password: "alice-password" });
    expect(claims).not.toBeNull();
    expect(claims!.amr).toEqual(["fed"]);
    expect(await userinfoOf(down, tokens!.access_token)).toMatchObject({ sub: claims!.sub, email: "alice@upstream.test", email_verified: true, name: "Alice Upstream" });
    expect(await userIdByEmail(down, "alice@upstream.test")).toBe(claims!.sub);
  });

  it("a returning user signs in as the same account, even when the upstream session already exists", async () => {
    await addUser(up, { email: "ret@upstream.test", password: "ret-password", email_verified: true });
    const first = await signInThrough(down, "up", { email: "ret@upstream.test", password: "ret-password" });
    // Another browser of the same person: signed in at the upstream, a stranger to the downstream.
    const browser = new CookieJar();
    first.jar.copyTo(browser, up.base);
    const again = await signInThrough(down, "up", null, browser);
    expect(again.claims!.sub).toBe(first.claims!.sub);
  });

  it("policy never: a verified email that is an existing user's is refused, nothing linked", async () => {
    // Both workers seed demo@example.com (verified): the upstream's identity claims the downstream's address.
    const { end, claims } = await signInThrough(down, "up", { email: DEMO_USER.email, password: DEMO_USER.password });
    expect(claims).toBeNull();
    expect(end.response.status).toBe(400);
    expect(end.html).toContain("already exists");
    expect(end.html).toContain("link Upstream up from your account page");
  });

  it("policy verified_email: the same identity links to the existing user, and the upstream's amr is kept where trusted", async () => {
    const { claims } = await signInThrough(down, "up-link", { email: DEMO_USER.email, password: DEMO_USER.password });
    expect(claims!.sub).toBe(await userIdByEmail(down, DEMO_USER.email));
    expect(claims!.amr).toEqual(["fed", "pwd"]);
  });

  it("an unverified email never links, even under verified_email, and no account is made with it", async () => {
    await addUser(down, { email: "bob@shared.test", password: "bob-down-password", email_verified: true });
    await addUser(up, { email: "bob@shared.test", password: "bob-up-password", email_verified: false });
    const { end, claims } = await signInThrough(down, "up-link", { email: "bob@shared.test", password: "bob-up-password" });
    expect(claims).toBeNull();
    expect(end.html).toContain("already exists");
  });

  it("20 concurrent first sign-ins of one upstream identity make one user (the D1 index decides)", async () => {
    const email = "race@upstream.test";
    await addUser(up, { email, password: "race-password", email_verified: true });
    // The person signs in at the upstream once (and allows the downstream there); the downstream never saw them.
    const person = new CookieJar();
    const direct = new URLSearchParams({ client_id: "downstream", redirect_uri: `${down.base}/federation-callback`, response_type: "code", scope: "openid email profile", state: "x", nonce: "y" });
    await answerPages(person, await browse(person, `${up.base}/authorize?${direct}`, undefined, `${down.base}/`), { email, password: "race-password" });
    // 20 browsers of that person each start a sign-in at the downstream and hold the upstream's answer.
    const pending = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const jar = new CookieJar();
        person.copyTo(jar, up.base);
        const { page, verifier } = await loginPage(down, jar);
        const back = await browse(jar, `${down.base}/federation-start`, { interaction: hidden(page.html, "interaction"), provider: "up-link" }, `${down.base}/federation-callback`);
        expect(back.url).toContain("/federation-callback?");
        return { jar, callback: back.url, verifier };
      }),
    );
    // All 20 answers land at once.
    const landed = await Promise.all(pending.map((p) => browse(p.jar, p.callback)));
    const subs = await Promise.all(
      landed.map(async (page, i) => {
        const end = await answerPages(pending[i]!.jar, page, null);
        return (await redeem(down, end.url, pending[i]!.verifier)).claims.sub;
      }),
    );
    expect(new Set(subs).size).toBe(1);
    expect(await userIdByEmail(down, email)).toBe(subs[0]);
  });
});

/** A browser signed in at the downstream's account page with a password. */
async function accountSignIn(email: string, password: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const form = await browse(jar, `${down.base}/account`);
  const signedIn = await browse(jar, `${down.base}/account`, { csrf: hidden(form.html, "csrf"), action: "sign_in", email, password });
  expect(signedIn.html).toContain("Your account");
  return jar;
}

/** Unlinks the first identity the linked page lists. */
async function unlinkFirst(jar: CookieJar) {
  const page = await browse(jar, `${down.base}/account/linked`);
  return browse(jar, `${down.base}/account/linked`, { csrf: hidden(page.html, "csrf"), action: "unlink", provider: hidden(page.html, "provider"), subject: hidden(page.html, "subject") });
}

/** The audit events of a user, once the outbox has delivered them to the window. */
async function auditTypes(userId: string, wanted: string[]): Promise<string[]> {
  let types: string[] = [];
  for (let tries = 0; tries < 50 && !wanted.every((t) => types.includes(t)); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const res = await down.admin.request("GET", `/admin/audit?user=${userId}`);
    types = ((res.body as { events?: { type: string }[] }).events ?? []).map((e) => e.type);
  }
  return types;
}

describe("federation: linking from the account page", () => {
  it("a signed-in user links an upstream identity, signs in with it, unlinks it; each audited", async () => {
    const carolId = await addUser(down, { email: "carol@down.test", password: "carol-password", email_verified: true });
    await addUser(up, { email: "carol-up@upstream.test", password: "carol-up-password", email_verified: true });
    const jar = await accountSignIn("carol@down.test", "carol-password");
    expect((await browse(jar, `${down.base}/account`)).html).toContain('href="/account/linked"');
    const page = await browse(jar, `${down.base}/account/linked`);
    const started = await browse(jar, `${down.base}/account/linked`, { csrf: hidden(page.html, "csrf"), action: "link", provider: "up" });
    const linked = await answerPages(jar, started, { email: "carol-up@upstream.test", password: "carol-up-password" }, down);
    expect(new URL(linked.url).pathname).toBe("/federation-callback");
    expect(linked.html).toContain("Upstream up is linked");
    expect(linked.html).toContain("carol-up@upstream.test");

    // Another browser: the upstream identity now signs in as carol.
    const browser = new CookieJar();
    jar.copyTo(browser, up.base);
    expect((await signInThrough(down, "up", null, browser)).claims!.sub).toBe(carolId);

    const unlinked = await unlinkFirst(jar);
    expect(unlinked.html).toContain("Unlinked.");
    expect(unlinked.html).not.toContain("carol-up@upstream.test");
    // Unlinked, the identity is a stranger again: its next sign-in makes an account of its own.
    const stranger = new CookieJar();
    jar.copyTo(stranger, up.base);
    const fresh = await signInThrough(down, "up", null, stranger);
    expect(fresh.claims!.sub).not.toBe(carolId);
    expect(await auditTypes(carolId, ["federation.linked", "federation.unlinked", "login.success"])).toEqual(expect.arrayContaining(["federation.linked", "federation.unlinked", "login.success"]));
    expect(await auditTypes(fresh.claims!.sub, ["federation.user_created"])).toContain("federation.user_created");

    // That account has no password and one link: unlinking it is refused.
    const last = await unlinkFirst(stranger);
    expect(last.response.status).toBe(409);
    expect(alertOf(last.html)).toMatch(/only way to sign in/);
  });

  it("an identity linked to one account cannot be linked to another", async () => {
    await addUser(down, { email: "dave@down.test", password: "dave-password", email_verified: true });
    // alice@upstream.test signed in first above and owns a just-in-time account.
    const jar = await accountSignIn("dave@down.test", "dave-password");
    const page = await browse(jar, `${down.base}/account/linked`);
    const started = await browse(jar, `${down.base}/account/linked`, { csrf: hidden(page.html, "csrf"), action: "link", provider: "up" });
    const refused = await answerPages(jar, started, { email: "alice@upstream.test", password: "alice-password" }, down);
    expect(refused.response.status).toBe(409);
    expect(alertOf(refused.html)).toMatch(/already linked to another account/);
  });

  it("the linked page refuses a form without this browser's CSRF value", async () => {
    const jar = await accountSignIn("carol@down.test", "carol-password");
    const forged = await browse(jar, `${down.base}/account/linked`, { csrf: "forged", action: "link", provider: "up" });
    expect(forged.response.status).toBe(400);
  });
});
