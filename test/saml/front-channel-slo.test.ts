import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyWithCertificate } from "../../src/saml/vendor/node-crypto.js";
import { toPem } from "../../src/saml/xml";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { ORIGIN } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";
import { authnRequest, idpCertificates, logoutRequest, newSp, postedResponse, redirectUrl, registerSp, signInOnPage, textIn, type TestSp } from "./helpers";
import { inflateForTest } from "./inflate";

type User = { id: string; email: string; password: string };
/** What an SP learned from its assertion: the NameID (value and Format) and the SessionIndex. */
type Issued = { nameId: string; format: string; sessionIndex: string };

function frames(html: string): string[] {
  return [...html.matchAll(/<iframe class="logout" src="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
}

function issuedIn(xml: string): Issued {
  return { nameId: textIn(xml, "NameID")!, format: /<saml:NameID Format="([^"]+)"/.exec(xml)![1]!, sessionIndex: /SessionIndex="([^"]+)"/.exec(xml)![1]! };
}

/** SSO to each SP in turn in one browser: the first signs in, the others ride the session. */
async function ssoToAll(user: User, sps: TestSp[]): Promise<{ browser: TestBrowser; issued: Issued[] }> {
  const browser = new TestBrowser();
  const issued: Issued[] = [];
  for (const [i, sp] of sps.entries()) {
    const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null));
    issued.push(issuedIn((await postedResponse(i === 0 ? await signInOnPage(browser, page, user) : page)).xml));
  }
  return { browser, issued };
}

/** Checks one framed URL: the SP's SLO endpoint, a LogoutRequest signed over the query (Bindings §3.4.4.1) by the IdP. */
async function logoutRequestAt(frame: string, sp: TestSp): Promise<string> {
  const url = new URL(frame);
  expect(`${url.origin}${url.pathname}`).toBe(sp.slo);
  expect(url.searchParams.get("SigAlg")).toBe("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
  const raw = url.search.slice(1);
  const signed = raw.slice(0, raw.indexOf("&Signature="));
  const certs = await idpCertificates();
  expect(certs.some((c) => verifyWithCertificate("RSA-SHA256", signed, toPem(c), url.searchParams.get("Signature")!))).toBe(true);
  return inflateForTest(url.searchParams.get("SAMLRequest")!);
}

function expectNames(xml: string, sp: TestSp, issued: Issued): void {
  expect(xml).toMatch(/^<samlp:LogoutRequest /);
  expect(xml).toMatch(/ ID="_[0-9a-f]{40}"/);
  expect(xml).toMatch(/ IssueInstant="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
  expect(xml).toContain(`Destination="${sp.slo}"`);
  expect(textIn(xml, "Issuer")).toBe(ORIGIN);
  expect(textIn(xml, "NameID")).toBe(issued.nameId);
  expect(xml).toContain(`<saml:NameID Format="${issued.format}">`);
  expect(textIn(xml, "SessionIndex")).toBe(issued.sessionIndex);
}

const shardOfUser = async (user: User) => shardOf(await currentDirectoryMap(), bucketOf(user.id));
const participants = async (user: User, sid: string) => rowsIn(await shardOfUser(user), "saml_participants", "sid = ?", sid);

describe("SAML front-channel single logout (SAML Profiles §4.4, IdP-initiated, HTTP-Redirect)", () => {
  let a: TestSp;
  let b: TestSp;
  let noSlo: TestSp;
  let user: User;

  beforeAll(async () => {
    [a, b, noSlo] = [await newSp(), await newSp(), await newSp()];
    await registerSp(a);
    await registerSp(b, { nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" });
    await registerSp(noSlo, { sloBinding: null });
    user = await createUser();
  });

  it("the provider's logout page frames a signed LogoutRequest to each SP of the session with an SLO URL (§4.4.3.2), and forgets them", async () => {
    const { browser, issued } = await ssoToAll(user, [a, b, noSlo]);
    const sid = issued[0]!.sessionIndex;
    expect(issued.every((i) => i.sessionIndex === sid)).toBe(true);
    expect((await participants(user, sid)).map((p) => p.sp_entity_id).sort()).toEqual([a.entityId, b.entityId, noSlo.entityId].sort());

    const page = await browser.get("/logout");
    expect(page.status).toBe(200);
    const res = await browser.post("/logout", { confirmation: hiddenField(await page.text(), "confirmation"), decision: "logout" });
    expect(res.status).toBe(200);
    const shown = frames(await res.text());
    // The SP without a SingleLogoutService is left out.
    expect(shown).toHaveLength(2);
    const at = (sp: TestSp) => shown.find((f) => f.startsWith(sp.slo))!;
    expectNames(await logoutRequestAt(at(a), a), a, issued[0]!);
    expectNames(await logoutRequestAt(at(b), b), b, issued[1]!);
    expect(issued[0]!.nameId).toBe(user.email);
    expect(issued[1]!.nameId).not.toBe(user.email);
    const csp = res.headers.get("content-security-policy")!;
    for (const sp of [a, b]) expect(csp).toContain(new URL(sp.slo).origin);
    expect(csp).not.toContain(new URL(noSlo.slo).origin);
    expect(await participants(user, sid)).toEqual([]);
  });

  it("an SP-initiated logout frames the session's other SPs, then moves on to the LogoutResponse for the SP that asked", async () => {
    const { browser, issued } = await ssoToAll(user, [a, b]);
    const req = logoutRequest(a, user.email, issued[0]!.sessionIndex);
    const res = await browser.get(await redirectUrl("/saml/slo", "SAMLRequest", req.xml, "bye", a.key));
    expect(res.status).toBe(200);
    const html = await res.text();
    const shown = frames(html);
    expect(shown).toHaveLength(1);
    expectNames(await logoutRequestAt(shown[0]!, b), b, issued[1]!);
    const next = new URL(/<a id="next" href="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&"));
    expect(`${next.origin}${next.pathname}`).toBe(a.slo);
    expect(next.searchParams.get("RelayState")).toBe("bye");
    expect(await inflateForTest(next.searchParams.get("SAMLResponse")!)).toContain(`InResponseTo="${req.id}"`);
    expect(res.headers.get("content-security-policy")).toContain(`frame-src ${new URL(b.slo).origin}`);
    expect(await participants(user, issued[0]!.sessionIndex)).toEqual([]);
  });

  it("a session that expires without a logout takes its SAML participants with it when swept", async () => {
    const { issued } = await ssoToAll(user, [a]);
    const sid = issued[0]!.sessionIndex;
    expect(await participants(user, sid)).toHaveLength(1);
    const shard = await shardOfUser(user);
    await runInDurableObject(stubFor(env, shard), (_i, state) => void state.storage.sql.exec("UPDATE sessions SET expires_at = 0, idle_expires_at = 0 WHERE sid = ?", sid));
    await stubFor(env, shard).sweep();
    expect(await participants(user, sid)).toEqual([]);
  });
});
