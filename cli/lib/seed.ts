// Demo data for a local `npm start`: two clients and one user, created
// idempotently through the operator API. Never used against a deployment.
import { DEFAULT_URL } from "./admin-client.ts";
import type { AdminClient, AdminResponse } from "./admin-client.ts";

const REDIRECT_URIS = ["http://localhost:3000/callback", "http://127.0.0.1:3000/callback"];
// Where RP-initiated logout (/logout) may send the browser back to.
const POST_LOGOUT_REDIRECT_URIS = ["http://localhost:3000/", "http://127.0.0.1:3000/"];
const GRANT_TYPES = ["authorization_code", "refresh_token"];
const SCOPE = "openid profile email offline_access";

export const DEMO_APP = {
  client_id: "demo-app",
  client_name: "Demo web app",
  client_type: "confidential",
  client_secret: "demo-secret",
  // Explicit, so the demo stays what the README documents whatever the default becomes.
  token_endpoint_auth_method: "client_secret_basic",
  redirect_uris: REDIRECT_URIS,
  post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
  grant_types: GRANT_TYPES,
  scope: SCOPE,
} as const;

export const DEMO_SPA = {
  client_id: "demo-spa",
  client_name: "Demo single-page app",
  client_type: "public",
  token_endpoint_auth_method: "none",
  redirect_uris: REDIRECT_URIS,
  post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
  grant_types: GRANT_TYPES,
  scope: SCOPE,
} as const;

export const DEMO_USER = {
  email: "demo@example.com",
  password: "demo-password",
  name: "Demo User",
  email_verified: true,
} as const;

interface Step {
  method: string;
  path: string;
  body: unknown;
  /** Statuses meaning "the data is there now". */
  ok: number[];
}

function steps(): Step[] {
  const client = ({ client_id, ...body }: typeof DEMO_APP | typeof DEMO_SPA): Step => ({
    method: "PUT",
    path: `/admin/clients/${client_id}`,
    body,
    ok: [200, 201],
  });
  return [
    client(DEMO_APP),
    client(DEMO_SPA),
    // 409: the demo user exists from an earlier run.
    { method: "POST", path: "/admin/users", body: DEMO_USER, ok: [201, 409] },
    // Admin console: the demo user may operate the local deployment (/admin).
    { method: "POST", path: "/admin/operators", body: { email: DEMO_USER.email, role: "admin" }, ok: [201] },
  ];
}

/**
 * Creates or updates the demo data. Failures are reported on stderr and do
 * not throw; resolves true when every step succeeded.
 */
export async function seedDemo(client: AdminClient, log: (line: string) => void): Promise<boolean> {
  let allOk = true;
  for (const step of steps()) {
    const what = `${step.method} ${step.path}`;
    let res: AdminResponse;
    try {
      res = await client.request(step.method, step.path, step.body);
    } catch (err) {
      log(`seeding failed: ${what}: ${err instanceof Error ? err.message : String(err)}`);
      allOk = false;
      continue;
    }
    if (!step.ok.includes(res.status)) {
      const body = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
      log(`seeding failed: ${what} -> HTTP ${res.status} ${body}`);
      allOk = false;
    }
  }
  return allOk;
}

/** The summary printed once the provider is up. */
export function banner(opts: { base: string; issuer: string; devVarsPath: string; seeded: boolean }): string {
  const { base, issuer, devVarsPath, seeded } = opts;
  const rule = "─".repeat(72);
  const usersUrl = base === DEFAULT_URL ? "" : ` --url ${base}`;
  const lines = [
    "",
    rule,
    ` authshard is running at ${base}`,
    "",
    ` Issuer     ${issuer}`,
    ` Discovery  ${base}/.well-known/openid-configuration`,
    "",
  ];
  if (seeded) {
    lines.push(
      " Demo clients (redirect URIs for both):",
      ...REDIRECT_URIS.map((uri) => `   ${uri}`),
      `   ${DEMO_APP.client_id.padEnd(9)} ${DEMO_APP.client_type}, client_secret: ${DEMO_APP.client_secret}`,
      `   ${DEMO_SPA.client_id.padEnd(9)} ${DEMO_SPA.client_type}, no secret (use PKCE)`,
      `   scope: ${SCOPE}`,
      `   post-logout redirect URIs: ${POST_LOGOUT_REDIRECT_URIS.join(", ")}`,
      "",
      ` Demo user  ${DEMO_USER.email}  password: ${DEMO_USER.password}`,
      ` Admin console  ${base}/admin  (sign in as the demo user, an admin)`,
    );
  } else {
    lines.push(" Demo data was not fully seeded (see the errors above); the server keeps running.");
  }
  lines.push(
    "",
    ` Operator   ADMIN_TOKEN is in ${devVarsPath}`,
    `            npm run users -- find --email ${DEMO_USER.email}${usersUrl}`,
    `            npm run clients -- list${usersUrl}`,
    "",
    // Passkeys: browsers refuse WebAuthn on an IP address; the loopback issuer's RP ID is localhost.
    ` Passkeys   ${base.replace("127.0.0.1", "localhost")}/account (use localhost, not 127.0.0.1)`,
    "",
    " Press Ctrl+C to stop.",
    rule,
    "",
  );
  return lines.join("\n");
}
