import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { recordingQueue } from "../helpers/audit";
import { TestBrowser, hiddenField } from "../helpers/browser";
import { admin, ADMIN_TOKEN, call, json, ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI } from "../helpers/oidc";

/**
 * Per-client branding on the login and consent pages: an uploaded logo served from the
 * provider's own origin (so the page CSP stays img-src 'self', no hot-linking), colours
 * validated as #rrggbb before they reach the page's nonce'd style block (no CSS
 * injection), texts escaped, and the RFC 7591 §2 client_uri/policy_uri/tos_uri links
 * on the consent page.
 */

/** A 1×1 PNG (the smallest valid one). */
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));

function upload(body: BodyInit, type: string): Promise<Response> {
  return call("/admin/branding/logos", { method: "POST", headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": type }, body });
}

describe("logo upload (POST /admin/branding/logos) and serving (/branding/<name>)", () => {
  it("stores a PNG under its SHA-256 and serves it immutable, nosniff, sandboxed, same-origin only", async () => {
    const res = await upload(PNG, "image/png");
    expect(res.status).toBe(201);
    const { logo, url } = await json<{ logo: string; url: string }>(res);
    expect(logo).toMatch(/^[0-9a-f]{64}\.png$/);
    const served = await call(url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(served.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    // The same bytes are the same name (content-addressed, idempotent).
    expect((await json<{ logo: string }>(await upload(PNG, "image/png"))).logo).toBe(logo);
  });

  it("refuses SVG and other types (415), bytes that are not the declared image (400), too large (413), empty (400)", async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`;
    const refusedSvg = await upload(svg, "image/svg+xml");
    expect(refusedSvg.status).toBe(415);
    expect(((await json(refusedSvg)) as { error_description: string }).error_description).toMatch(/SVG is not accepted/);
    expect((await upload("<html><script>alert(1)</script></html>", "image/png")).status).toBe(400);
    expect((await upload(PNG, "image/jpeg")).status).toBe(400);
    const big = new Uint8Array(70 * 1024);
    big.set(PNG.slice(0, 8));
    expect((await upload(big, "image/png")).status).toBe(413);
    expect((await upload(new Uint8Array(0), "image/png")).status).toBe(400);
  });

  it("an unknown or malformed logo name is 404", async () => {
    expect((await call(`/branding/${"0".repeat(64)}.png`)).status).toBe(404);
    expect((await call("/branding/..%2Fsecret.png")).status).toBe(404);
    expect((await call("/branding/logo.svg")).status).toBe(404);
  });

  it("needs the operator token", async () => {
    const res = await call("/admin/branding/logos", { method: "POST", headers: { "Content-Type": "image/png" }, body: PNG });
    expect(res.status).toBe(401);
  });
});

describe("a client's branding (PUT /admin/clients/:id/branding)", () => {
  let clientId: string;
  let logo: string;
  let user: Awaited<ReturnType<typeof createUser>>;
  const params = () => ({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid email", state: "st", nonce: "n" });

  beforeAll(async () => {
    clientId = (await registerClient("confidential")).clientId;
    user = await createUser();
    logo = (await json<{ logo: string }>(await upload(PNG, "image/png"))).logo;
  });

  it.each([
    ["primary_color", "red;}body{background:url(https://evil.example/x)}"],
    ["primary_color", "#12345"],
    ["background_color", "#ffffff</style><script>"],
    ["logo", "https://evil.example/logo.png"],
    ["client_uri", "javascript:alert(1)"],
    ["display_name", ""],
  ])("refuses %s = %j with 400 and writes nothing", async (field, value) => {
    const res = await admin("PUT", `/clients/${clientId}/branding`, { [field]: value });
    expect(res.status).toBe(400);
    expect(((await json(res)) as { error_description: string }).error_description).toContain(field);
    expect(await json(await admin("GET", `/clients/${clientId}/branding`))).toEqual({ client_id: clientId, branding: null });
  });

  it("refuses a logo that was never uploaded, an unknown field, and an unknown client", async () => {
    const missing = await admin("PUT", `/clients/${clientId}/branding`, { logo: `${"a".repeat(64)}.png` });
    expect(missing.status).toBe(400);
    expect((await admin("PUT", `/clients/${clientId}/branding`, { css: "body{}" })).status).toBe(400);
    expect((await admin("PUT", "/clients/no-such-client/branding", { primary_color: "#112233" })).status).toBe(404);
  });

  it("shows the client's logo, colours, name and text on the login and consent pages; the CSP stays strict", async () => {
    const branding = {
      display_name: "Acme <Corp>",
      logo,
      primary_color: "#aa3300",
      background_color: "#fff8f0",
      text: { en: "Acme staff only.", ja: "Acme の社員専用です。" },
      policy_uri: "https://acme.example/privacy",
      tos_uri: "https://acme.example/terms",
    };
    const put = await admin("PUT", `/clients/${clientId}/branding`, branding);
    expect(put.status).toBe(200);

    const browser = new TestBrowser();
    const res = await browser.request(authorizeUrl({ ...params(), ui_locales: "ja" }));
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("img-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toMatch(/^default-src 'none'/);
    const html = await res.text();
    expect(html).toContain(`<img id="brand-logo" src="/branding/${logo}" alt="Acme &lt;Corp&gt;"`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).toContain("button{background:#aa3300;border-color:#aa3300}");
    expect(html).toContain("body{background:#fff8f0}");
    expect(html).toContain("Acme の社員専用です。");

    const consent = await browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password });
    const consentHtml = await consent.text();
    expect(consentHtml).toContain(`src="/branding/${logo}"`);
    expect(consentHtml).toContain("button{background:#aa3300");
    expect(consentHtml).toContain('href="https://acme.example/privacy"');
    expect(consentHtml).toContain("プライバシーポリシー");
    expect(consentHtml).toContain('href="https://acme.example/terms"');
  });

  it("DELETE restores the deployment's look, and a page without a logo keeps the CSP without img-src", async () => {
    expect((await admin("DELETE", `/clients/${clientId}/branding`)).status).toBe(204);
    const res = await new TestBrowser().request(authorizeUrl(params()));
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).not.toContain("img-src");
    // form-action may also name upstream providers' origins (federation buttons) that other files configured.
    expect(csp).toMatch(/^default-src 'none'; style-src 'nonce-[^']+'; script-src 'nonce-[^']+'; connect-src 'self'; form-action 'self' http:\/\/localhost:3000[^;]*; frame-ancestors 'none'; base-uri 'none'$/);
    const html = await res.text();
    expect(html).not.toContain("brand-logo");
    expect(html).not.toContain("#aa3300");
  });
});

describe("branding changes are audited", () => {
  /** An operator request to the router with an audit queue that records what it is sent. */
  async function recorded(method: string, path: string, body: BodyInit | undefined, type: string) {
    const queue = recordingQueue();
    const workerEnv = { ...(env as unknown as Env), AUDIT_QUEUE: queue };
    const res = await app.fetch(new Request(new URL(path, ORIGIN), { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": type }, body }), workerEnv, createExecutionContext());
    // The branding events, not the operator API's generic admin.change record of the same request.
    return { status: res.status, events: queue.sent.flatMap((m) => m.events).filter((e) => e.type !== "admin.change") };
  }

  it("an upload, a change and a clearing each leave one event naming the client; a refused change leaves none", async () => {
    const { clientId } = await registerClient("public");
    const uploaded = await recorded("POST", "/admin/branding/logos", PNG, "image/png");
    expect(uploaded.status).toBe(201);
    expect(uploaded.events.map((e) => e.type)).toEqual(["branding.logo_uploaded"]);
    const set = await recorded("PUT", `/admin/clients/${clientId}/branding`, JSON.stringify({ primary_color: "#010203" }), "application/json");
    expect(set.status).toBe(200);
    expect(set.events).toMatchObject([{ type: "client.branding_set", client_id: clientId, data: { branding: { primary_color: "#010203" } } }]);
    const refused = await recorded("PUT", `/admin/clients/${clientId}/branding`, JSON.stringify({ primary_color: "blue" }), "application/json");
    expect(refused).toEqual({ status: 400, events: [] });
    const cleared = await recorded("DELETE", `/admin/clients/${clientId}/branding`, undefined, "application/json");
    expect(cleared.status).toBe(204);
    expect(cleared.events).toMatchObject([{ type: "client.branding_cleared", client_id: clientId }]);
  });
});
