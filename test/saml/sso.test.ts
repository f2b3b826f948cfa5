import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { deliverAudit } from "../helpers/audit";
import { currentDirectoryMap } from "../helpers/shards";
import { TestBrowser } from "../helpers/browser";
import { call } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { admin } from "../helpers/http";
import { ACR_MFA, ACR_PASSWORD } from "../../src/oauth/acr";
import { AUTHN_CONTEXT, authnContextClassRef } from "../../src/saml/profile";
import { authnRequest, b64, decryptAssertion, spMetadata, newSp, postedResponse, redirectUrl, registerSp, signInOnPage, signedRequest, textIn, verifiedBy, type TestSp } from "./helpers";

/**
 * SP-initiated Web Browser SSO (SAML Profiles §4.1) over both request bindings
 * (SAML Bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST), answered over HTTP-POST.
 */
describe("SAML SSO", () => {
  let sp: TestSp;
  let user: { id: string; email: string; password: string };

  beforeAll(async () => {
    sp = await newSp();
    await registerSp(sp, {}, { attribute_map: { email: "mail" } });
    user = await createUser();
  });

  it("HTTP-Redirect: sign-in page, then a signed Response with the assertion at the registered ACS (Profiles §4.1.4.2)", async () => {
    const browser = new TestBrowser();
    const req = authnRequest(sp);
    const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", req.xml, "relay-123"));
    expect(page.status).toBe(200);
    const { action, xml, relayState } = await postedResponse(await signInOnPage(browser, page, user));
    expect(action).toBe(sp.acs);
    expect(relayState).toBe("relay-123");
    expect(await verifiedBy(xml, "Response")).toBe(true);
    expect(await verifiedBy(xml, "Assertion")).toBe(true);
    expect(xml).toContain(`InResponseTo="${req.id}"`);
    expect(xml).toContain(`Destination="${sp.acs}"`);
    expect(xml).toContain("urn:oasis:names:tc:SAML:2.0:status:Success");
    expect(textIn(xml, "Audience")).toBe(sp.entityId);
    expect(textIn(xml, "NameID")).toBe(user.email);
    expect(textIn(xml, "AuthnContextClassRef")).toBe("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport");
    // The SP's attribute map renames email to mail; the rest keep our names.
    expect(xml).toMatch(/<saml:Attribute Name="mail"[^>]*><saml:AttributeValue[^>]*>[^<]+<\/saml:AttributeValue>/);
    expect(xml).toMatch(/<saml:Attribute Name="given_name"[^>]*><saml:AttributeValue[^>]*>Ada</);
  });

  it("HTTP-POST: checked, then continued with a GET that carries the session; a live session answers without a page", async () => {
    const browser = new TestBrowser();
    const first = authnRequest(sp);
    await signInOnPage(browser, await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", first.xml, null)), user);
    const req = authnRequest(sp);
    const posted = await browser.post("/saml/sso", { SAMLRequest: b64(req.xml), RelayState: "r2" });
    expect(posted.status).toBe(303);
    const { action, xml, relayState } = await postedResponse(await browser.get(posted.headers.get("location")!));
    expect(action).toBe(sp.acs);
    expect(relayState).toBe("r2");
    expect(xml).toContain(`InResponseTo="${req.id}"`);
    expect(await verifiedBy(xml, "Response")).toBe(true);
  });

  it("IdP-initiated: an unsolicited Response to the SP's default ACS, without InResponseTo (Profiles §4.1.5)", async () => {
    const browser = new TestBrowser();
    const page = await browser.get(`/saml/idp-initiated?sp=${encodeURIComponent(sp.entityId)}&RelayState=home`);
    const { action, xml, relayState } = await postedResponse(await signInOnPage(browser, page, user));
    expect(action).toBe(sp.acs);
    expect(relayState).toBe("home");
    expect(xml).not.toContain("InResponseTo");
    expect(await verifiedBy(xml, "Assertion")).toBe(true);
  });

  it("IsPassive without a session: a signed NoPassive status, no page (Core §3.4.1)", async () => {
    const { xml } = await postedResponse(await new TestBrowser().get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { isPassive: true }).xml, null)));
    expect(xml).toContain("urn:oasis:names:tc:SAML:2.0:status:NoPassive");
    expect(xml).not.toContain("Assertion");
    expect(await verifiedBy(xml, "Response")).toBe(true);
  });

  it("persistent NameID: stable for one SP, different for another (Core §8.3.7)", async () => {
    const other = await newSp();
    await registerSp(other);
    const nameIdFor = async (target: TestSp) => {
      const browser = new TestBrowser();
      const req = authnRequest(target, { nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" });
      const { xml } = await postedResponse(await signInOnPage(browser, await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", req.xml, null)), user));
      expect(xml).toContain('Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"');
      return textIn(xml, "NameID");
    };
    const once = await nameIdFor(sp);
    expect(await nameIdFor(sp)).toBe(once);
    expect(await nameIdFor(other)).not.toBe(once);
    expect(once).not.toContain(user.email);
  });

  it("a signed POST AuthnRequest from an SP that requires signing is accepted; its unsigned one is not", async () => {
    const strict = await newSp();
    await registerSp(strict, { authnRequestsSigned: true });
    const unsigned = await call("/saml/sso", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ SAMLRequest: b64(authnRequest(strict).xml) }) });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).toContain("must be signed");
    const signed = await call("/saml/sso", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ SAMLRequest: b64(signedRequest(strict, authnRequest(strict))) }) });
    expect(signed.status).toBe(303);
    const redirected = await new TestBrowser().get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(strict).xml, "x", strict.key));
    expect(redirected.status).toBe(200);
    expect(await redirected.text()).toContain('action="/saml/sign-in"');
  });

  it("every assertion handed out is in the user's audit trail, with the SP and the session", async () => {
    const audited = await createUser();
    const browser = new TestBrowser();
    const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null));
    const { xml } = await postedResponse(await signInOnPage(browser, page, audited));
    const sid = /SessionIndex="([^"]+)"/.exec(xml)![1];
    await deliverAudit(shardOf(await currentDirectoryMap(), bucketOf(audited.id)));
    const events = async () => (await env.DB.prepare("SELECT type, data FROM audit_log WHERE user_id = ? AND type = 'saml.assertion_issued'").bind(audited.id).all<{ type: string; data: string }>()).results;
    await vi.waitFor(async () => expect(await events()).toHaveLength(1), { timeout: 5_000 });
    expect(JSON.parse((await events())[0]!.data)).toMatchObject({ sp: sp.entityId, sid });
  });

  it("an SP registered for it gets an EncryptedAssertion (Core §2.3.4) that only its key opens; the signature inside verifies", async () => {
    const enc = await newSp();
    const refused = await admin("PUT", "/saml/service-providers", { metadata_xml: spMetadata(enc), encrypt_assertion: true });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("no encryption certificate");
    await registerSp(enc, { encryption: true }, { encrypt_assertion: true });
    const browser = new TestBrowser();
    const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(enc).xml, null));
    const { xml } = await postedResponse(await signInOnPage(browser, page, user));
    expect(xml).toContain("<saml:EncryptedAssertion");
    expect(xml).not.toContain(user.email);
    expect(await verifiedBy(xml, "Response")).toBe(true);
    const assertion = await decryptAssertion(xml, enc);
    expect(textIn(assertion, "NameID")).toBe(user.email);
    expect(await verifiedBy(`<r>${assertion}</r>`, "Assertion")).toBe(true);
    await expect(decryptAssertion(xml, await newSp())).rejects.toThrow();
  });

  it("ForceAuthn asks a signed-in person for the password again (Core §3.4.1)", async () => {
    const browser = new TestBrowser();
    await signInOnPage(browser, await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null)), user);
    await postedResponse(await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null)));
    const forced = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { forceAuthn: true }).xml, null));
    expect(await forced.clone().text()).toContain('action="/saml/sign-in"');
    expect((await postedResponse(await signInOnPage(browser, forced, user))).action).toBe(sp.acs);
  });

  it("AuthnContextClassRef follows how the session signed in: password, or password and a second factor", () => {
    expect(authnContextClassRef({ acr: ACR_PASSWORD, amr: ["pwd"] })).toBe(AUTHN_CONTEXT.password);
    expect(authnContextClassRef({ acr: ACR_MFA, amr: ["pwd", "otp", "mfa"] })).toBe(AUTHN_CONTEXT.mfa);
    expect(AUTHN_CONTEXT.password).toBe("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport");
  });
});
