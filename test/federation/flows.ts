import { decodeJwt } from "jose";
import { DEMO_APP } from "../../cli/lib/seed.ts";
import { browse, CLIENT_REDIRECT, CookieJar, hidden, pkce, type RunningWorker } from "./workers.ts";

/**
 * A person's browser signing in to the demo app at `down` through an upstream, page by
 * page: /authorize at down shows the login page, its provider button goes to the upstream,
 * the upstream's own login and consent pages are answered, and down's consent page (first
 * time for the app) is allowed. The code is redeemed at /token as the demo app would.
 */
export interface Person {
  email: string;
  password: string;
}

export type Page = Awaited<ReturnType<typeof browse>>;

export async function loginPage(down: RunningWorker, jar: CookieJar, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const params = new URLSearchParams({
    client_id: DEMO_APP.client_id, redirect_uri: CLIENT_REDIRECT, response_type: "code", scope: "openid email profile",
    state: "app-state", nonce: "app-nonce", code_challenge: challenge, code_challenge_method: "S256", ...extra,
  });
  const page = await browse(jar, `${down.base}/authorize?${params}`);
  return { page, verifier };
}

/** Presses the login page's button for `provider`. */
export function pressProvider(down: RunningWorker, jar: CookieJar, page: Page, provider: string): Promise<Page> {
  return browse(jar, `${down.base}/federation-start`, { interaction: hidden(page.html, "interaction"), provider });
}

/** Answers whatever login and consent pages come (the upstream's and down's) until a page that is neither, or the app's redirect. */
export async function answerPages(jar: CookieJar, page: Page, person: Person | null, down?: RunningWorker): Promise<Page> {
  let current = page;
  for (let step = 0; step < 6 && current.html; step++) {
    const origin = new URL(current.url).origin;
    // The person's upstream password goes only to the upstream's login page.
    if (current.html.includes('action="login"') && person && origin !== down?.base) {
      current = await browse(jar, `${origin}/login`, { interaction: hidden(current.html, "interaction"), email: person.email, password: person.password });
    } else if (current.html.includes('action="consent"')) {
      current = await browse(jar, `${origin}/consent`, { interaction: hidden(current.html, "interaction"), decision: "allow" });
    } else {
      break;
    }
  }
  return current;
}

export async function redeem(down: RunningWorker, redirect: string, verifier: string) {
  const url = new URL(redirect);
  const code = url.searchParams.get("code");
  if (!code) throw new Error(`no code in ${redirect}`);
  const res = await fetch(`${down.base}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${DEMO_APP.client_id}:${DEMO_APP.client_secret}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: CLIENT_REDIRECT, code_verifier: verifier }),
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  const tokens = (await res.json()) as { id_token: string; access_token: string };
  return { tokens, claims: decodeJwt(tokens.id_token) as { sub: string; amr?: string[] } };
}

/** What the app learns about the user at /userinfo (OIDC Core §5.3). */
export async function userinfoOf(down: RunningWorker, accessToken: string) {
  const res = await fetch(`${down.base}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  return (await res.json()) as { sub: string; email?: string; email_verified?: boolean; name?: string };
}

/** The whole way: login page → provider → upstream pages → down's consent → code → ID token claims. */
export async function signInThrough(down: RunningWorker, provider: string, person: Person | null, jar = new CookieJar()) {
  const { page, verifier } = await loginPage(down, jar);
  const end = await answerPages(jar, await pressProvider(down, jar, page, provider), person, down);
  if (!end.url.startsWith(CLIENT_REDIRECT)) {
    console.log(`ended at ${new URL(end.url).pathname} (${end.response.status}): ${alertOf(end.html)}`);
    return { jar, end, claims: null, tokens: null };
  }
  const redeemed = await redeem(down, end.url, verifier);
  return { jar, end, claims: redeemed.claims, tokens: redeemed.tokens };
}

/** Creates a user at a worker through its operator API. */
export async function addUser(worker: RunningWorker, user: { email: string; password: string; name?: string; email_verified: boolean }) {
  const res = await worker.admin.request("POST", "/admin/users", user);
  if (res.status !== 201) throw new Error(`creating ${user.email}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { user: { id: string } }).user.id;
}

export async function userIdByEmail(worker: RunningWorker, email: string): Promise<string | null> {
  const res = await worker.admin.request("GET", `/admin/users?email=${encodeURIComponent(email)}`);
  return res.status === 200 ? ((res.body as { user?: { id: string }; users?: { id: string }[] }).user?.id ?? null) : null;
}

/** The message a page shows in its alert, if any. */
export function alertOf(html: string): string | null {
  return /role="alert"[^>]*>([^<]*)</.exec(html)?.[1] ?? null;
}

/** Login page → provider button → the upstream's answer, held before it reaches the callback. */
export async function toCallback(down: RunningWorker, jar: CookieJar, provider: string) {
  const { page, verifier } = await loginPage(down, jar);
  const back = await browse(jar, `${down.base}/federation-start`, { interaction: hidden(page.html, "interaction"), provider }, `${down.base}/federation-callback`);
  if (!back.url.startsWith(`${down.base}/federation-callback`)) throw new Error(`not back at the callback: ${back.url} ${alertOf(back.html)}`);
  return { callback: back.url, verifier };
}
