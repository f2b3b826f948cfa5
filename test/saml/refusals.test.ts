import { beforeAll, describe, expect, it } from "vitest";
import { admin, call } from "../helpers/http";
import { authnRequest, b64, newSp, redirectUrl, registerSp, signedRequest, spMetadata, type TestSp } from "./helpers";

const postSso = (fields: Record<string, string>) =>
  call("/saml/sso", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });

/** A refusal is a page for the person: 400, the reason, and nothing posted to any ACS. */
async function expectRefused(res: Response, reason: string | RegExp): Promise<void> {
  expect(res.status).toBe(400);
  const html = await res.text();
  expect(html).toMatch(reason);
  expect(html).not.toContain("SAMLResponse");
}

describe("SAML SSO refuses what it must not answer", () => {
  let sp: TestSp;
  let strict: TestSp;

  beforeAll(async () => {
    sp = await newSp();
    strict = await newSp();
    await registerSp(sp);
    await registerSp(strict, { authnRequestsSigned: true });
  });

  it("an unknown SP gets an error page, never a response to the ACS it names", async () => {
    const stranger = await newSp();
    await expectRefused(await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(stranger).xml, null)), /is not registered/);
  });

  it("an ACS URL the SP did not register is refused (Core §3.4.1: exact match against metadata)", async () => {
    await expectRefused(await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { acs: "https://evil.example/acs" }).xml, null)), /AssertionConsumerServiceURL/);
  });

  it("a replayed AuthnRequest is refused; of concurrent copies exactly one is answered", async () => {
    const url = await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null);
    expect((await call(url)).status).toBe(200);
    await expectRefused(await call(url), /already used/);
    const raced = await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp).xml, null);
    const statuses = (await Promise.all(Array.from({ length: 6 }, () => call(raced)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
  });

  it("a refused request spends nothing: the same ID, sent correctly afterwards, is answered", async () => {
    const id = `_again${crypto.randomUUID().replace(/-/g, "")}`;
    await expectRefused(await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { id, destination: "https://elsewhere.example/sso" }).xml, null)), /Destination/);
    expect((await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { id }).xml, null))).status).toBe(200);
  });

  it("a stale or future IssueInstant is refused", async () => {
    await expectRefused(await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { issueInstant: new Date(Date.now() - 3_600_000).toISOString() }).xml, null)), /IssueInstant/);
    await expectRefused(await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(sp, { issueInstant: new Date(Date.now() + 3_600_000).toISOString() }).xml, null)), /IssueInstant/);
  });

  it("a DOCTYPE (XXE, entity expansion) is refused before parsing; malformed XML and non-XML are refused", async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${authnRequest(sp).xml.replace("</saml:Issuer>", "&x;</saml:Issuer>")}`;
    await expectRefused(await postSso({ SAMLRequest: b64(xxe) }), /DOCTYPE/);
    await expectRefused(await postSso({ SAMLRequest: b64(authnRequest(sp).xml.slice(0, -10)) }), /malformed XML/);
    await expectRefused(await postSso({ SAMLRequest: "%%%not base64%%%" }), /base64/);
    await expectRefused(await call("/saml/sso?SAMLRequest=bm90IGRlZmxhdGVk"), /DEFLATE|malformed/);
    await expectRefused(await call("/saml/sso?SAMLRequest=%E0%A4%A"), /URL encoding/);
    await expectRefused(await call("/saml/sso"), /SAMLRequest is missing/);
    await expectRefused(await call("/saml/idp-initiated"), /is not registered/);
    await expectRefused(await postSso({ SAMLRequest: b64("<x/>") }), /expected a AuthnRequest|AuthnRequest/);
  });

  it("a comment inside the Issuer neither truncates nor splits it: the text read is the whole value", async () => {
    const commented = authnRequest(sp).xml.replace(`<saml:Issuer>${sp.entityId}</saml:Issuer>`, `<saml:Issuer>${sp.entityId}<!---->.evil.example</saml:Issuer>`);
    await expectRefused(await postSso({ SAMLRequest: b64(commented) }), /evil\.example is not registered/);
  });

  it("an SP that signs must sign: unsigned, tampered after signing, or signed by another key is refused", async () => {
    await expectRefused(await postSso({ SAMLRequest: b64(authnRequest(strict).xml) }), /must be signed/);
    const signed = signedRequest(strict, authnRequest(strict));
    await expectRefused(await postSso({ SAMLRequest: b64(signed.replace('ProtocolBinding=', 'ForceAuthn="true" ProtocolBinding=')) }), /signature does not verify/);
    const other = await newSp();
    const forged = signedRequest({ ...other, entityId: strict.entityId }, authnRequest(strict));
    await expectRefused(await postSso({ SAMLRequest: b64(forged) }), /signature does not verify/);
    // HTTP-Redirect: the signature covers the query string; a changed RelayState breaks it (Bindings §3.4.4.1).
    const url = await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(strict).xml, "original", strict.key);
    await expectRefused(await call(url.replace("RelayState=original", "RelayState=changed")), /query signature does not verify/);
  });

  it("signature wrapping: a signed request moved inside an unsigned one does not vouch for it", async () => {
    const genuine = authnRequest(strict);
    const signed = signedRequest(strict, genuine);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const inner = signed.replace(signature, "");
    const wrapper = authnRequest(strict, { extra: `<samlp:Extensions>${inner}</samlp:Extensions>` }).xml.replace("</saml:Issuer>", `</saml:Issuer>${signature}`);
    await expectRefused(await postSso({ SAMLRequest: b64(wrapper) }), /signature/);
  });

  it("the operator API refuses metadata it could not honour, with the reason", async () => {
    const bad = async (xml: string, reason: RegExp, extra: Record<string, unknown> = {}) => {
      const res = await admin("PUT", "/saml/service-providers", { metadata_xml: xml, ...extra });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(reason);
    };
    const fresh = await newSp();
    await bad(`<!DOCTYPE x>${spMetadata(fresh)}`, /DOCTYPE/);
    await bad(spMetadata(fresh, { acsBinding: "HTTP-Artifact" }), /HTTP-POST/);
    await bad("<md:EntityDescriptor", /malformed XML/);
    await bad(spMetadata(fresh).replace(fresh.acs, "http://evil.example/acs"), /https/);
    await bad(spMetadata(fresh), /sign the response, the assertion or both/, { sign_response: false, sign_assertion: false });
    expect((await admin("GET", `/saml/service-providers/${encodeURIComponent(fresh.entityId)}`)).status).toBe(404);
  });

  it("registration is listed, and an SP removed by the operator is refused at once", async () => {
    const gone = await newSp();
    await registerSp(gone);
    const listed = (await (await admin("GET", "/saml/service-providers")).json()) as { service_providers: { entity_id: string }[] };
    expect(listed.service_providers.map((s) => s.entity_id)).toContain(gone.entityId);
    expect((await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(gone).xml, null))).status).toBe(200);
    expect((await admin("DELETE", `/saml/service-providers/${encodeURIComponent(gone.entityId)}`)).status).toBe(204);
    await expectRefused(await call(await redirectUrl("/saml/sso", "SAMLRequest", authnRequest(gone).xml, null)), /is not registered/);
  });
});
