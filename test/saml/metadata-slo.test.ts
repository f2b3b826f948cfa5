import { beforeAll, describe, expect, it } from "vitest";
import { inflateForTest } from "./inflate";
import { verifyWithCertificate } from "../../src/saml/vendor/node-crypto.js";
import { toPem } from "../../src/saml/xml";
import { TestBrowser } from "../helpers/browser";
import { admin, call, ORIGIN } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { authnRequest, b64, idpCertificates, logoutRequest, newSp, postedResponse, redirectUrl, registerSp, signInOnPage, signedRequest, textIn, verifiedBy, type TestSp } from "./helpers";

describe("IdP metadata (SAML Metadata §2.4.3) follows the key manager's RS256 key", () => {
  it("publishes the entity, both SSO and SLO bindings, the NameID formats and a certificate per published RS256 key", async () => {
    const res = await call("/saml/metadata");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/samlmetadata+xml");
    const xml = await res.text();
    expect(xml).toContain(`entityID="${ORIGIN}"`);
    for (const binding of ["HTTP-Redirect", "HTTP-POST"]) {
      expect(xml).toContain(`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${ORIGIN}/saml/sso"/>`);
      expect(xml).toContain(`<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${ORIGIN}/saml/slo"/>`);
    }
    expect(xml).toContain("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
    const { keys } = (await (await admin("GET", "/keys")).json()) as { keys: { alg: string; state: string }[] };
    expect(await idpCertificates()).toHaveLength(keys.filter((k) => k.alg === "RS256").length);
    // The certificate is a function of the key: the same bytes on every request.
    expect(await idpCertificates()).toEqual(await idpCertificates());
  });

  it("after a rotation the responses are signed by the key whose certificate was listed before as the next one", async () => {
    const sp = await newSp();
    await registerSp(sp);
    const user = await createUser();
    const before = await idpCertificates();
    expect((await admin("POST", "/keys/rotate")).status).toBe(200);
    const after = await idpCertificates();
    expect(after.some((c) => !before.includes(c))).toBe(true);
    const browser = new TestBrowser();
    const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null));
    const { xml } = await postedResponse(await signInOnPage(browser, page, user));
    expect(await verifiedBy(xml, "Response", before)).toBe(true);
    expect(await verifiedBy(xml, "Response", after)).toBe(true);
  });
});

describe("single logout (SAML Profiles §4.4), SP-initiated", () => {
  let sp: TestSp;
  let postSp: TestSp;
  let user: { id: string; email: string; password: string };

  beforeAll(async () => {
    sp = await newSp();
    postSp = await newSp();
    await registerSp(sp);
    await registerSp(postSp, { sloBinding: "HTTP-POST" });
    user = await createUser();
  });

  async function signedInBrowser(target: TestSp): Promise<{ browser: TestBrowser; sessionIndex: string }> {
    const browser = new TestBrowser();
    const page = await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(target).xml, null));
    const { xml } = await postedResponse(await signInOnPage(browser, page, user));
    return { browser, sessionIndex: /SessionIndex="([^"]+)"/.exec(xml)![1]! };
  }

  const showsSignIn = async (browser: TestBrowser, target: TestSp) =>
    (await (await browser.get(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(target).xml, null))).text()).includes('action="/saml/sign-in"');

  it("HTTP-Redirect: a signed LogoutRequest ends the provider session and gets a signed LogoutResponse at the SP's SLO URL", async () => {
    const { browser, sessionIndex } = await signedInBrowser(sp);
    expect(await showsSignIn(browser, sp)).toBe(false);
    const req = logoutRequest(sp, user.email, sessionIndex);
    const res = await browser.get(await redirectUrl("/saml/slo", "SAMLRequest", req.xml, "bye", sp.key));
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(sp.slo);
    expect(location.searchParams.get("RelayState")).toBe("bye");
    const xml = await inflateForTest(location.searchParams.get("SAMLResponse")!);
    expect(xml).toContain(`InResponseTo="${req.id}"`);
    expect(xml).toContain("urn:oasis:names:tc:SAML:2.0:status:Success");
    // Bindings §3.4.4.1: the signature covers SAMLResponse, RelayState and SigAlg as sent.
    const raw = location.search.slice(1);
    const signed = raw.slice(0, raw.indexOf("&Signature="));
    const certs = await idpCertificates();
    expect(certs.some((c) => verifyWithCertificate("RSA-SHA256", signed, toPem(c), location.searchParams.get("Signature")!))).toBe(true);
    expect(await showsSignIn(browser, sp)).toBe(true);
  });

  it("HTTP-POST: checked, continued by a GET with the session cookie, answered by an auto-posted signed LogoutResponse", async () => {
    const { browser, sessionIndex } = await signedInBrowser(postSp);
    const req = logoutRequest(postSp, user.email, sessionIndex);
    const posted = await browser.post("/saml/slo", { SAMLRequest: b64(signedRequest(postSp, req, "LogoutRequest")) });
    expect(posted.status).toBe(303);
    const { action, xml } = await postedResponse(await browser.get(posted.headers.get("location")!));
    expect(action).toBe(postSp.slo);
    expect(textIn(xml, "Issuer")).toBe(ORIGIN);
    expect(await verifiedBy(xml, "LogoutResponse")).toBe(true);
    expect(await showsSignIn(browser, postSp)).toBe(true);
  });

  it("an unsigned LogoutRequest, or one signed by another key, is refused and the session lives on", async () => {
    const { browser, sessionIndex } = await signedInBrowser(sp);
    const unsigned = await browser.get(await redirectUrl("/saml/slo", "SAMLRequest", logoutRequest(sp, user.email, sessionIndex).xml, null));
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).toContain("must be signed");
    const other = await newSp();
    const forged = await browser.get(await redirectUrl("/saml/slo", "SAMLRequest", logoutRequest(sp, user.email, sessionIndex).xml, null, other.key));
    expect(forged.status).toBe(400);
    expect(await showsSignIn(browser, sp)).toBe(false);
  });
});
