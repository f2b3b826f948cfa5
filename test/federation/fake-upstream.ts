import { createServer, type IncomingMessage, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/**
 * Small upstreams the suite controls, on a loopback port, for what a well-behaved provider
 * never does. Each behaviour has its own path prefix, so one server plays them all:
 *   /wrong-key   an OpenID provider whose ID token is signed by a key not in its JWKS
 *   /bad-nonce   an OpenID provider whose ID token carries another nonce
 *   /down        a token endpoint that answers 500
 *   /slow        a token endpoint that answers after 10 s
 *   /denied      an authorization endpoint that answers access_denied
 *   /gh          a GitHub-like OAuth 2.0 provider (no ID token): /gh/user and /gh/emails
 * GET <prefix>/authorize answers at once with a code (no login page: these test the return leg).
 */
export interface FakeUpstream {
  base: string;
  close(): Promise<void>;
}

const GH_USER = { id: 4242, login: "octo", name: "Octo Cat", email: null };
export const GH_EMAIL = "octo@github.test";

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const published = await generateKeyPair("ES256");
  const stranger = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(published.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  const codes = new Map<string, { nonce: string | null; clientId: string }>();
  let base = "";

  const idToken = async (mode: string, grant: { nonce: string | null; clientId: string }) =>
    new SignJWT({ nonce: mode === "bad-nonce" ? "not-the-nonce" : grant.nonce, email: `${mode}@fake.test`, email_verified: true })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(`${base}/${mode}`)
      .setAudience(grant.clientId)
      .setSubject(`${mode}-subject`)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(mode === "wrong-key" ? stranger.privateKey : published.privateKey);

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, base);
    const [, mode, action] = url.pathname.split("/");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (action === "authorize") {
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      if (mode === "denied") back.searchParams.set("error", "access_denied");
      else {
        const code = randomBytes(16).toString("hex");
        codes.set(code, { nonce: url.searchParams.get("nonce"), clientId: url.searchParams.get("client_id")! });
        back.searchParams.set("code", code);
      }
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (action === "jwks") return json(200, { keys: [jwk] });
    if (action === "token") {
      const form = await readBody(req);
      if (mode === "down") return json(500, { error: "server_error" });
      if (mode === "slow") await new Promise((resolve) => setTimeout(resolve, 10_000));
      const grant = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      if (!grant) return json(400, { error: "invalid_grant" });
      const tokens = { access_token: `at-${mode}`, token_type: "Bearer", expires_in: 300 };
      return json(200, mode === "gh" ? tokens : { ...tokens, id_token: await idToken(mode!, grant) });
    }
    if (mode === "gh" && action === "user") return json(req.headers.authorization === "Bearer at-gh" ? 200 : 401, GH_USER);
    if (mode === "gh" && action === "emails") {
      return json(200, [
        { email: "old@github.test", primary: false, verified: true },
        { email: GH_EMAIL, primary: true, verified: true },
      ]);
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return { base, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** The operator API body for one behaviour of the fake upstream. */
export function fakeProvider(fake: FakeUpstream, mode: string) {
  const at = `${fake.base}/${mode}`;
  if (mode === "gh") {
    return {
      preset: "github", display_name: "FakeHub", client_id: "fake-client", client_secret: "fake-secret", link_policy: "verified_email", store_tokens: true,
      authorization_endpoint: `${at}/authorize`, token_endpoint: `${at}/token`, userinfo_endpoint: `${at}/user`, emails_endpoint: `${at}/emails`,
    };
  }
  return {
    preset: "oidc", display_name: `Fake ${mode}`, issuer: at, client_id: "fake-client", client_secret: "fake-secret",
    authorization_endpoint: `${at}/authorize`, token_endpoint: `${at}/token`, jwks_uri: `${at}/jwks`,
  };
}
