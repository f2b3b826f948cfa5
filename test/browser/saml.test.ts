import { createServer, type Server } from "node:http";
import { SAML, ValidateInResponseTo, type SamlConfig } from "@node-saml/node-saml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_USER } from "../../cli/lib/seed.ts";
import { base64, selfSignedCertificate } from "../../src/saml/certificate.ts";
import { ADMIN_TOKEN, skipWithoutChromium, startPageHarness, type PageHarness } from "./harness.ts";

/**
 * The SAML IdP end to end against an independent SP library (@node-saml/node-saml) in Node,
 * with the worker wrangler starts: SP-initiated SSO over HTTP-Redirect and HTTP-POST
 * (SAML Bindings §3.4, §3.5; Profiles §4.1), IdP-initiated SSO (§4.1.5) and SP-initiated
 * single logout (§4.4) — the SP checks the signatures with the certificates from
 * /saml/metadata and reads the attributes. One sign-in goes through the page in Chromium.
 */

/** A browser without a rendering engine: a cookie jar, no redirects followed, forms read from the HTML. */
class Agent {
  private readonly cookies = new Map<string, string>();
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = pair!.split("=");
      if (/max-age=0/i.test(line) || !value) this.cookies.delete(name!);
      else this.cookies.set(name!, value);
    }
    return res;
  }
  postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  }
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
function formOf(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in:\n${html.slice(0, 1500)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]!] = unescape(m[2]!);
  return { action: unescape(action), fields };
}

async function spKeys(): Promise<{ keyPem: string; cert: string }> {
  const pair = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", pair.privateKey)).toString("base64");
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { keyPem, cert: base64(await selfSignedCertificate(pair.publicKey, pair.privateKey, "node-saml-sp", "node-saml-sp")) };
}

describe.skipIf(skipWithoutChromium)("SAML IdP with @node-saml/node-saml as the SP", () => {
  let harness: PageHarness | undefined;
  let base: string;
  let acsServer: Server;
  let acs: string;
  const received: string[] = [];
  const entityId = "https://sp.node-saml.test/metadata";
  let spOptions: SamlConfig;

  beforeAll(async () => {
    harness = await startPageHarness("saml");
    base = harness.base;
    // The SP's ACS for the Chromium run: it records what the browser posts.
    acsServer = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push(body);
        res.end("<!doctype html><title>SP</title><h1>Signed in at the SP</h1>");
      });
    });
    await new Promise<void>((resolve) => acsServer.listen(0, "127.0.0.1", resolve));
    acs = `http://127.0.0.1:${(acsServer.address() as { port: number }).port}/acs`;
    const { keyPem, cert } = await spKeys();
    const metadataXml = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${acs.replace("/acs", "/slo")}"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acs}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
    const registered = await fetch(`${base}/admin/saml/service-providers`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metadata_xml: metadataXml, display_name: "Node SAML SP" }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const idpMetadata = await (await fetch(`${base}/saml/metadata`)).text();
    const idpCert = [...idpMetadata.matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1]!);
    spOptions = {
      entryPoint: `${base}/saml/sso`,
      logoutUrl: `${base}/saml/slo`,
      callbackUrl: acs,
      issuer: entityId,
      audience: entityId,
      idpIssuer: base,
      idpCert,
      privateKey: keyPem,
      signatureAlgorithm: "sha256",
      identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      disableRequestedAuthnContext: true,
    };
  });

  afterAll(async () => {
    await new Promise((resolve) => acsServer?.close(resolve));
    await harness?.dispose();
  });

  /** From the provider's sign-in page (or straight from a live session) to the profile node-saml validated. */
  async function finish(sp: SAML, agent: Agent, res: Response) {
    let html = await res.text();
    if (html.includes('action="/saml/sign-in"')) {
      const { fields } = formOf(html);
      html = await (await agent.postForm(`${base}/saml/sign-in`, { ...fields, email: DEMO_USER.email, password: DEMO_USER.password })).text();
    }
    const { action, fields } = formOf(html);
    expect(action).toBe(acs);
    return { ...(await sp.validatePostResponseAsync({ SAMLResponse: fields.SAMLResponse! })), relayState: fields.RelayState };
  }

  it("SP-initiated over HTTP-Redirect: node-saml validates the signed response and reads NameID and attributes", async () => {
    const sp = new SAML(spOptions);
    const agent = new Agent();
    const url = await sp.getAuthorizeUrlAsync("relay-redirect", undefined, {});
    const { profile, relayState } = await finish(sp, agent, await agent.fetch(url));
    expect(profile?.nameID).toBe(DEMO_USER.email);
    expect(profile?.email).toBe(DEMO_USER.email);
    expect(profile?.name).toBe(DEMO_USER.name);
    expect(relayState).toBe("relay-redirect");
  });

  it("SP-initiated over HTTP-POST with a signed AuthnRequest, then single logout ends the provider session", async () => {
    const sp = new SAML({ ...spOptions, authnRequestBinding: "HTTP-POST" });
    const agent = new Agent();
    const { action, fields } = formOf(await sp.getAuthorizeFormAsync("relay-post"));
    expect(action).toBe(`${base}/saml/sso`);
    const posted = await agent.postForm(action, fields);
    expect(posted.status, await posted.clone().text()).toBe(303);
    const { profile } = await finish(sp, agent, await agent.fetch(new URL(posted.headers.get("location")!, base).href));
    expect(profile?.nameID).toBe(DEMO_USER.email);
    const logout = await agent.fetch(await sp.getLogoutUrlAsync(profile!, "relay-slo", {}));
    expect(logout.status).toBe(303);
    const back = new URL(logout.headers.get("location")!);
    const validated = await sp.validateRedirectAsync(Object.fromEntries(back.searchParams), back.search.slice(1));
    expect(validated.loggedOut).toBe(true);
    // The session is over: the next SSO asks for a sign-in again.
    const again = await agent.fetch(await sp.getAuthorizeUrlAsync("", undefined, {}));
    expect(await again.text()).toContain('action="/saml/sign-in"');
  });

  it("IdP-initiated: an unsolicited response node-saml accepts when it allows them", async () => {
    const sp = new SAML({ ...spOptions, validateInResponseTo: ValidateInResponseTo.never });
    const agent = new Agent();
    const { profile, relayState } = await finish(sp, agent, await agent.fetch(`${base}/saml/idp-initiated?sp=${encodeURIComponent(entityId)}&RelayState=dash`));
    expect(profile?.nameID).toBe(DEMO_USER.email);
    expect(relayState).toBe("dash");
  });

  it("an SP registered for encryption gets an EncryptedAssertion that node-saml decrypts with its key (Core §2.3.4)", async () => {
    const { keyPem, cert } = await spKeys();
    const encId = "https://sp-enc.node-saml.test/metadata";
    const key = (use: string) => `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    const metadataXml = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${encId}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${key("signing")}${key("encryption")}
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acs}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
    const registered = await fetch(`${base}/admin/saml/service-providers`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metadata_xml: metadataXml, encrypt_assertion: true }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const sp = new SAML({ ...spOptions, issuer: encId, audience: encId, privateKey: keyPem, decryptionPvk: keyPem });
    const agent = new Agent();
    const res = await agent.fetch(await sp.getAuthorizeUrlAsync("", undefined, {}));
    const html = await (await agent.postForm(`${base}/saml/sign-in`, { ...formOf(await res.text()).fields, email: DEMO_USER.email, password: DEMO_USER.password })).text();
    const response = formOf(html).fields.SAMLResponse!;
    expect(Buffer.from(response, "base64").toString("utf8")).toContain("EncryptedAssertion");
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: response });
    expect(profile?.nameID).toBe(DEMO_USER.email);
    expect(profile?.email).toBe(DEMO_USER.email);
  });

  it("a response tampered with after signing is refused by the SP", async () => {
    const sp = new SAML(spOptions);
    const agent = new Agent();
    let html = await (await agent.fetch(await sp.getAuthorizeUrlAsync("", undefined, {}))).text();
    html = await (await agent.postForm(`${base}/saml/sign-in`, { ...formOf(html).fields, email: DEMO_USER.email, password: DEMO_USER.password })).text();
    const xml = Buffer.from(formOf(html).fields.SAMLResponse!, "base64").toString("utf8");
    const tampered = Buffer.from(xml.replace(DEMO_USER.email, "attacker@example.com")).toString("base64");
    await expect(sp.validatePostResponseAsync({ SAMLResponse: tampered })).rejects.toThrow();
  });

  it("in Chromium: the login page, then the auto-submitted response reaches the SP's ACS", async () => {
    const sp = new SAML(spOptions);
    const page = await harness!.browser.newPage();
    try {
      await page.goto(await sp.getAuthorizeUrlAsync("chromium", undefined, {}));
      await page.getByLabel("Email").fill(DEMO_USER.email);
      await page.getByLabel("Password").fill(DEMO_USER.password);
      await Promise.all([page.waitForURL(acs), page.getByRole("button", { name: /sign in|continue/i }).click()]);
      await page.getByRole("heading", { name: "Signed in at the SP" }).waitFor();
    } finally {
      await page.close();
    }
    const posted = new URLSearchParams(received.findLast((body) => body.includes("SAMLResponse"))!);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.get("SAMLResponse")! });
    expect(profile?.nameID).toBe(DEMO_USER.email);
    expect(posted.get("RelayState")).toBe("chromium");
  });
});
