import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unstable_startWorker } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The production build (scripts/build-worker.mjs, README "Startup size"): code splitting
 * keeps what a new isolate loads before its first request — the token, userinfo and
 * sign-in path, the actors — at or under 150 KiB gzip, and every feature that
 * src/router/lazy.ts loads on first use is a module of its own that really runs in workerd.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const BUDGET_KIB = 150;
const ADMIN_TOKEN = "production-build-test-0123456789abcdef";

interface Report {
  startup: { modules: number; kib: number; gzipKib: number; inputs: string[] };
  upload: { modules: number; kib: number; gzipKib: number };
}

function buildReport(outdir: string): Report {
  const out = execFileSync(process.execPath, ["scripts/build-worker.mjs", "--outdir", outdir, "--report"], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Report;
}

describe("the production build's startup closure", () => {
  const outdir = mkdtempSync(join(tmpdir(), "authshard-build-"));
  let report: Report;
  beforeAll(() => {
    report = buildReport(outdir);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(`is at or under ${BUDGET_KIB} KiB gzip (measured as wrangler measures a bundle)`, () => {
    expect(report.startup.gzipKib).toBeLessThanOrEqual(BUDGET_KIB);
    // The split is real: most of the upload is not in it.
    expect(report.upload.gzipKib).toBeGreaterThan(report.startup.gzipKib * 2);
  });

  it("holds none of the features that load on first use", () => {
    const lazy = [
      "node_modules/xml-crypto", // SAML
      "node_modules/@xmldom/xmldom",
      "node_modules/@simplewebauthn/server", // passkeys
      "node_modules/@peculiar/x509",
      "node_modules/otpauth", // TOTP codes
      "node_modules/uqr", // the account page's QR code
      "node_modules/oauth4webapi", // federation
      "node_modules/zod", // the operator API's request schemas
      "src/i18n/ja.ts",
      "src/router/console/index.tsx",
      "src/router/scim/index.ts",
      "src/router/endpoints/admin/index.ts",
      "src/router/ldap/directory.ts",
    ];
    expect(lazy.filter((input) => report.startup.inputs.includes(input))).toEqual([]);
    // ...while the hot path is there.
    for (const input of ["src/router/endpoints/token.ts", "src/router/endpoints/userinfo.ts", "src/actors/user-shard/actor.ts"]) expect(report.startup.inputs).toContain(input);
  });
});

describe("the production build in workerd", () => {
  let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
  let base: string;
  const persist = mkdtempSync(join(tmpdir(), "authshard-prod-"));
  beforeAll(async () => {
    // wrangler runs env.production's build command and serves dist/worker unbundled, as it would upload it.
    worker = await unstable_startWorker({
      config: join(ROOT, "wrangler.jsonc"),
      env: "production",
      bindings: { ADMIN_TOKEN: { type: "plain_text", value: ADMIN_TOKEN } },
      dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error", persist, watch: false },
    });
    await worker.ready;
    base = (await worker.url).origin;
  }, 120_000);
  afterAll(async () => {
    await worker?.dispose();
    rmSync(persist, { recursive: true, force: true });
  });

  it("serves the hot path from the startup modules", async () => {
    const res = await fetch(`${base}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issuer: string }).issuer).toBe("https://id.example.com");
    // /token answers an OAuth error (RFC 6749 §5.2), not a module error.
    const token = await fetch(`${base}/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token" }) });
    expect(token.status).toBe(401);
  });

  it("loads each lazy feature's module on its first request", async () => {
    // SAML (xml-crypto): the IdP metadata, signed with the key manager's key.
    const metadata = await fetch(`${base}/saml/metadata`);
    expect(metadata.status).toBe(200);
    expect(await metadata.text()).toContain("IDPSSODescriptor");
    // SCIM: its own error schema for a missing token (RFC 7644 §3.12).
    const scim = await fetch(`${base}/scim/v2/Users`);
    expect(scim.status).toBe(401);
    expect(await scim.text()).toContain("urn:ietf:params:scim:api:messages:2.0:Error");
    // The console redirects into sign-in; the operator API refuses without a token.
    expect((await fetch(`${base}/admin`, { redirect: "manual" })).status).toBe(302);
    expect((await fetch(`${base}/admin/keys`)).status).toBe(401);
    const keys = await fetch(`${base}/admin/keys`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(keys.status).toBe(200);
    // The account page (TOTP, QR code, passkeys) shows its sign-in form.
    const account = await fetch(`${base}/account`);
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("<form");
    // An unknown path under a lazy prefix is the router's not-found.
    const missing = await fetch(`${base}/saml/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });

  it("serves a page in a lazily loaded language", async () => {
    const res = await fetch(`${base}/account`, { headers: { "Accept-Language": "ja" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('lang="ja"');
  });
});
