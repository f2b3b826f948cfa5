import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type AdminClient } from "../../cli/lib/admin-client.ts";
import { DEMO_USER } from "../../cli/lib/seed.ts";
import { skipWithoutSlapd, startSlapd, type Slapd } from "../../cli/lib/slapd.ts";
import { ROOT } from "../../cli/lib/wrangler.ts";
import { ADMIN_TOKEN, skipWithoutChromium, startPageHarness, type PageHarness } from "./harness.ts";
import { idTokenClaimsOf, signInOnPage, type SignIn } from "./ldap-pages.ts";

/**
 * LDAP sign-in and sync against a real OpenLDAP (Debian's slapd, started here on a loopback
 * port from test/ldap/fixtures/directory.ldif), through the login page in headless Chromium
 * and the operator API, with the worker under wrangler — the socket to the directory is a
 * real `connect()` from workerd. RFC 4511 (bind §4.2, search §4.5), RFC 4515 (filter escaping).
 */

const FIXTURE = join(ROOT, "test", "ldap", "fixtures", "directory.ldif");
const WRONG = "The email or password is not correct.";
const UNAVAILABLE = "The company directory is unavailable right now, so directory accounts cannot sign in. Please try again in a few minutes.";
const PEOPLE = "ou=people,dc=example,dc=org";
const ADMINS = "cn=admins,ou=groups,dc=example,dc=org";
const STAFF = "cn=staff,ou=groups,dc=example,dc=org";

describe.skipIf(skipWithoutChromium || skipWithoutSlapd)("LDAP / Active Directory sign-in and sync against slapd", () => {
  let slapd: Slapd | undefined;
  let harness: PageHarness | undefined;
  let base: string;
  let browser: Browser;
  let api: AdminClient;

  beforeAll(async () => {
    slapd = await startSlapd(FIXTURE);
    harness = await startPageHarness("ldap", {
      LDAP_URL: { type: "plain_text", value: slapd.url },
      LDAP_BIND_DN: { type: "plain_text", value: "cn=reader,dc=example,dc=org" },
      LDAP_BIND_PASSWORD: { type: "secret_text", value: "reader-secret" },
      LDAP_USER_BASE: { type: "plain_text", value: PEOPLE },
      LDAP_GROUP_BASE: { type: "plain_text", value: "ou=groups,dc=example,dc=org" },
      LDAP_GROUP_ROLES: { type: "plain_text", value: JSON.stringify({ [ADMINS]: "admin", [STAFF]: "staff" }) },
      // The cron runs only when a test asks (/cdn-cgi/handler/scheduled); the operator trigger works either way.
      LDAP_SYNC: { type: "plain_text", value: "on" },
    });
    ({ base, browser } = harness);
    api = adminClient({ url: base, token: ADMIN_TOKEN });
  });

  afterAll(async () => {
    await harness?.dispose();
    await slapd?.stop();
  });

  const signIn = (typed: string, password: string, shot?: string) => signInOnPage(base, browser, typed, password, shot);
  const idTokenClaims = (result: SignIn) => idTokenClaimsOf(base, result);

  async function userByEmail(email: string) {
    const res = await api.request("GET", `/admin/users?email=${encodeURIComponent(email)}`);
    return res.status === 200 ? (res.body as { user: { id: string; disabled: boolean; name: string | null; email: string } }).user : null;
  }

  async function link(userId: string) {
    const res = await api.request("GET", `/admin/users/${userId}/ldap`);
    expect(res.status).toBe(200);
    return (res.body as { ldap: { dn: string; groups: string[]; roles: string[]; state: string } }).ldap;
  }

  it("a directory user signs in with the directory password: created just in time, an ID token, groups mapped to roles (RFC 4511 §4.2 bind)", async () => {
    expect(await userByEmail("alice@example.org")).toBeNull();
    const claims = await idTokenClaims(await signIn("alice", "alice-password"));
    const alice = await userByEmail("alice@example.org");
    expect(alice).not.toBeNull();
    expect(claims).toMatchObject({ sub: alice!.id, nonce: "n-ldap" });
    // The profile came from the entry (cn, mail), the email counts as verified by the directory.
    expect(alice).toMatchObject({ email: "alice@example.org", name: "Alice Liddell", given_name: "Alice", family_name: "Liddell", email_verified: true });
    expect(await link(alice!.id)).toMatchObject({ dn: `uid=alice,${PEOPLE}`, groups: [ADMINS, STAFF], roles: ["admin", "staff"], state: "active" });
    // The second time, by email, the same user (no second account).
    await idTokenClaims(await signIn("alice@example.org", "alice-password"));
    expect((await userByEmail("alice@example.org"))!.id).toBe(alice!.id);
  });

  it("a wrong directory password gets the local wrong-password message, and no account is created", async () => {
    expect(await signIn("bob@example.org", "not-bobs-password")).toEqual({ alert: WRONG });
    expect(await userByEmail("bob@example.org")).toBeNull();
    // An empty password would be an unauthenticated bind (RFC 4513 §5.1.2), which slapd accepts: refused before the directory.
    expect(await signIn("bob", "")).toEqual({ alert: WRONG });
  });

  it("a locked (disabled) directory account is refused even with its right password", async () => {
    expect(await signIn("mallory", "mallory-password")).toEqual({ alert: WRONG });
    expect(await userByEmail("mallory@example.org")).toBeNull();
  });

  it("filter metacharacters in the typed name are escaped (RFC 4515 §3): a wildcard or injected clause matches nobody", async () => {
    expect(await signIn("*", "alice-password")).toEqual({ alert: WRONG });
    expect(await signIn("alice)(uid=*", "alice-password")).toEqual({ alert: WRONG });
    expect(await signIn("al*", "alice-password")).toEqual({ alert: WRONG });
  });

  it("the operator sync creates added users, disables removed ones and re-maps changed groups", async () => {
    const first = await api.request("POST", "/admin/ldap/sync");
    expect(first.status).toBe(200);
    // bob is new; alice exists; mallory is locked, so not created.
    expect((first.body as { summary: object }).summary).toMatchObject({ seen: 3, created: 1, unchanged: 1, disabled: 0, conflicts: 0 });
    const bob = await userByEmail("bob@example.org");
    expect(bob?.disabled).toBe(false);
    expect(await link(bob!.id)).toMatchObject({ groups: [STAFF], roles: ["staff"] });

    await slapd!.modify(`dn: uid=carol,${PEOPLE}\nobjectClass: inetOrgPerson\nuid: carol\ncn: Carol Added\nsn: Added\nmail: carol@example.org\nuserPassword: carol-password\n`);
    await slapd!.modify(`dn: ${ADMINS}\nchangetype: modify\ndelete: member\nmember: uid=alice,${PEOPLE}\n-\nadd: member\nmember: uid=carol,${PEOPLE}\n`);
    await slapd!.remove(`uid=bob,${PEOPLE}`);
    const second = await api.request("POST", "/admin/ldap/sync");
    expect((second.body as { summary: object }).summary).toMatchObject({ seen: 3, created: 1, updated: 1, disabled: 1 });
    expect((await userByEmail("bob@example.org"))!.disabled).toBe(true);
    expect((await link(bob!.id)).state).toBe("removed");
    const alice = await userByEmail("alice@example.org");
    expect(await link(alice!.id)).toMatchObject({ groups: [STAFF], roles: ["staff"] });
    const carol = await userByEmail("carol@example.org");
    expect(await link(carol!.id)).toMatchObject({ groups: [ADMINS], roles: ["admin"] });
    // The removed user cannot sign in any more; the added one can.
    expect(await signIn("bob", "bob-password")).toEqual({ alert: WRONG });
    await idTokenClaims(await signIn("carol", "carol-password"));
    // A sync with nothing new changes nothing.
    const third = await api.request("POST", "/admin/ldap/sync");
    expect((third.body as { summary: object }).summary).toMatchObject({ created: 0, updated: 0, disabled: 0 });
  });

  it("two first sign-ins of one directory user racing each other end in one account", async () => {
    await slapd!.modify(`dn: uid=dave,${PEOPLE}\nobjectClass: inetOrgPerson\nuid: dave\ncn: Dave Racing\nsn: Racing\nmail: dave@example.org\nuserPassword: dave-password\n`);
    const [first, second] = await Promise.all([signIn("dave@example.org", "dave-password"), signIn("dave@example.org", "dave-password")]);
    const [a, b] = await Promise.all([idTokenClaims(first), idTokenClaims(second)]);
    expect(a.sub).toBe(b.sub);
    expect((await userByEmail("dave@example.org"))!.id).toBe(a.sub);
  });

  it("wrong directory passwords count against the account's sign-in slow-down like local ones", async () => {
    for (let i = 0; i < 5; i++) expect(await signIn("carol@example.org", `wrong-${i}`)).toEqual({ alert: WRONG });
    // From the fifth failure on the account waits 1, 2, 4 … seconds: a page load later, a try meets the wait.
    const answers: string[] = [];
    for (let i = 0; i < 6 && !answers.some((a) => a.startsWith("Too many")); i++) {
      const answer = await signIn("carol@example.org", `wrong-again-${i}`);
      answers.push("alert" in answer ? answer.alert : "signed in");
    }
    expect(answers.at(-1)).toMatch(/^Too many failed attempts\. Wait \d+ seconds? and try again\.$/);
    expect(answers.slice(0, -1).every((a) => a === WRONG)).toBe(true);
  });

  it("removed from the directory: the next sync disables the user and ends its sessions (amr pwd until then)", async () => {
    const dave = await userByEmail("dave@example.org");
    const sessions = async () => ((await api.request("GET", `/admin/users/${dave!.id}/sessions`)).body as { sessions: { state: string; amr: string[] }[] }).sessions;
    const before = await sessions();
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((s) => s.state === "active" && s.amr.join() === "pwd")).toBe(true);
    await slapd!.remove(`uid=dave,${PEOPLE}`);
    expect(((await api.request("POST", "/admin/ldap/sync")).body as { summary: object }).summary).toMatchObject({ disabled: 1 });
    expect((await userByEmail("dave@example.org"))!.disabled).toBe(true);
    expect((await sessions()).every((s) => s.state === "ended")).toBe(true);
  });

  it("the cron trigger runs the same sync: a user added to the directory appears without any sign-in", async () => {
    await slapd!.modify(`dn: uid=erin,${PEOPLE}\nobjectClass: inetOrgPerson\nuid: erin\ncn: Erin Cron\nsn: Cron\nmail: erin@example.org\nuserPassword: erin-password\n`);
    expect(await userByEmail("erin@example.org")).toBeNull();
    const res = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/10 * * * *")}`);
    expect(res.status).toBe(200);
    expect(await userByEmail("erin@example.org")).toMatchObject({ name: "Erin Cron", disabled: false });
  });

  it("with the directory down, a local user still signs in and a directory user is told the directory is unavailable", async () => {
    await slapd!.stop();
    slapd = undefined;
    await idTokenClaims(await signIn(DEMO_USER.email, DEMO_USER.password));
    expect(await signIn("alice@example.org", "alice-password", "ldap-unavailable.png")).toEqual({ alert: UNAVAILABLE });
    const sync = await api.request("POST", "/admin/ldap/sync");
    expect(sync.status).toBe(503);
  });
});

/** Direct bind (LDAP_USER_DN_TEMPLATE, no service account): the typed name becomes one RDN value of the DN (RFC 4514 §2.4). */
describe.skipIf(skipWithoutChromium || skipWithoutSlapd)("LDAP direct bind to a DN template against slapd", () => {
  let slapd: Slapd | undefined;
  let harness: PageHarness | undefined;

  beforeAll(async () => {
    slapd = await startSlapd(FIXTURE);
    harness = await startPageHarness("ldap-direct", {
      LDAP_URL: { type: "plain_text", value: slapd.url },
      LDAP_USER_DN_TEMPLATE: { type: "plain_text", value: `uid={username},${PEOPLE}` },
      LDAP_USER_BASE: { type: "plain_text", value: PEOPLE },
      LDAP_GROUP_BASE: { type: "plain_text", value: "ou=groups,dc=example,dc=org" },
      LDAP_GROUP_ROLES: { type: "plain_text", value: JSON.stringify({ [ADMINS]: "admin" }) },
    });
  });

  afterAll(async () => {
    await harness?.dispose();
    await slapd?.stop();
  });

  it("binds as uid=<typed>,ou=people: the right password signs in with groups read as the user, a wrong one or an injected RDN does not", async () => {
    const { base, browser } = harness!;
    const api = adminClient({ url: base, token: ADMIN_TOKEN });
    expect(await signInOnPage(base, browser, "alice", "not-alices")).toEqual({ alert: WRONG });
    expect(await signInOnPage(base, browser, "alice,ou=people", "alice-password")).toEqual({ alert: WRONG });
    const claims = await idTokenClaimsOf(base, await signInOnPage(base, browser, "alice", "alice-password"));
    const link = await api.request("GET", `/admin/users/${claims.sub}/ldap`);
    expect(link.body).toMatchObject({ ldap: { dn: `uid=alice,${PEOPLE}`, groups: [ADMINS, STAFF], roles: ["admin"] } });
    // The sync needs a service account to list the directory: without one it says so.
    const sync = await api.request("POST", "/admin/ldap/sync");
    expect(sync.status).toBe(409);
    expect((sync.body as { error_description: string }).error_description).toMatch(/LDAP_BIND_DN/);
  });
});
