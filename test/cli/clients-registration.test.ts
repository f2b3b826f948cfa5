import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClientTable, formatTokenTable, type Client, type InitialToken } from "../../cli/lib/client-format.ts";
import { parseTtl, readMint } from "../../cli/lib/initial-token-commands.ts";

function usageError(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

const bodyOf = <T extends { body: Record<string, unknown> }>(read: T | "help") => (read === "help" ? null : read.body);

describe("npm run clients -- initial-token: the command line", () => {
  it("turns the flags into the policy the operator API takes", () => {
    const argv = ["--grant-type", "authorization_code", "--grant-type=refresh_token", "--scope", "openid profile", "--max-uses", "5", "--ttl", "7d", "--label", "partner"];
    expect(bodyOf(readMint(argv))).toEqual({ grant_types: ["authorization_code", "refresh_token"], scope: "openid profile", max_uses: 5, ttl_s: 604_800, label: "partner" });
    expect(bodyOf(readMint(["--auth-method", "none", "--auth-method", "client_secret_basic"]))).toEqual({ token_endpoint_auth_methods: ["none", "client_secret_basic"] });
    expect(bodyOf(readMint([]))).toEqual({});
    expect(readMint(["--help"])).toBe("help");
  });

  it("reads --ttl with a unit, from a minute to a year", () => {
    expect([parseTtl("90s", "--ttl"), parseTtl("30m", "--ttl"), parseTtl("12h", "--ttl"), parseTtl("365d", "--ttl")]).toEqual([90, 1_800, 43_200, 31_536_000]);
    for (const bad of ["7", "7w", "59s", "366d", "-1d", "1.5h"]) {
      expect(usageError(() => parseTtl(bad, "--ttl"))).toBe(`--ttl must be a duration like 30m, 12h or 7d, between 1 minute and 365 days, got '${bad}'`);
    }
  });

  it("names the flag and the bad value", () => {
    expect(usageError(() => readMint(["--grant-type", "implicit"]))).toBe("--grant-type must be one of authorization_code, refresh_token, client_credentials, got 'implicit'");
    expect(usageError(() => readMint(["--auth-method", "tls_client_auth"]))).toBe("--auth-method must be one of client_secret_basic, client_secret_post, none, private_key_jwt, client_secret_jwt, got 'tls_client_auth'");
    expect(usageError(() => readMint(["--max-uses", "0"]))).toBe("--max-uses must be an integer between 1 and 100000, got '0'");
    expect(usageError(() => readMint(["--ttl", "forever"]))).toMatch(/^--ttl must be a duration/);
    expect(usageError(() => readMint(["--grant-type"]))).toMatch(/^--grant-type needs a value/);
    expect(usageError(() => readMint(["--max-use", "3"]))).toBe("unknown option --max-use for initial-token (did you mean --max-uses?)");
  });
});

describe("npm run clients -- create: logout metadata", () => {
  const base = ["--id", "web", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb"];

  it("sends the back- and front-channel logout URIs with their sid flags", () => {
    const body = bodyOf(readCreate([...base, "--backchannel-logout-uri", "https://app.example/bc", "--backchannel-logout-session-required", "--frontchannel-logout-uri", "https://app.example/fc"]));
    expect(body).toMatchObject({
      backchannel_logout_uri: "https://app.example/bc",
      backchannel_logout_session_required: true,
      frontchannel_logout_uri: "https://app.example/fc",
      frontchannel_logout_session_required: false,
    });
    expect(bodyOf(readCreate(base))).not.toHaveProperty("backchannel_logout_uri");
  });

  it("JWT assertion flags: --auth-method private_key_jwt with --jwks (JSON) or --jwks-uri, and the algorithms (RFC 7523 §2.2, RFC 9101 §10.5)", () => {
    const jwks = '{"keys":[{"kty":"EC","crv":"P-256","x":"x","y":"y"}]}';
    const body = bodyOf(readCreate([...base, "--auth-method", "private_key_jwt", "--jwks", jwks, "--auth-signing-alg", "PS256", "--request-object-alg", "ES256", "--require-signed-request-object"]));
    expect(body).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", jwks: JSON.parse(jwks), token_endpoint_auth_signing_alg: "PS256", request_object_signing_alg: "ES256", require_signed_request_object: true });
    expect(bodyOf(readCreate([...base, "--jwks-uri", "https://app.example/jwks.json"]))).toMatchObject({ jwks_uri: "https://app.example/jwks.json" });
    expect(usageError(() => readCreate([...base, "--jwks", jwks, "--jwks-uri", "https://app.example/jwks.json"]))).toBe("give --jwks or --jwks-uri, not both");
    expect(usageError(() => readCreate([...base, "--auth-signing-alg", "HS256"]))).toMatch(/--auth-signing-alg must be one of/);
    expect(usageError(() => readCreate([...base, "--jwks", "{not json"]))).toMatch(/--jwks must be/);
  });

  it("refuses a sid flag without its URI", () => {
    expect(usageError(() => readCreate([...base, "--backchannel-logout-session-required"]))).toBe("--backchannel-logout-session-required needs --backchannel-logout-uri");
    expect(usageError(() => readCreate([...base, "--frontchannel-logout-session-required"]))).toBe("--frontchannel-logout-session-required needs --frontchannel-logout-uri");
  });
});

const client = (id: string, extra: Partial<Client>): Client => ({
  client_id: id,
  client_name: `App ${id}`,
  client_type: "confidential",
  redirect_uris: [],
  grant_types: ["authorization_code"],
  scope: "openid",
  token_endpoint_auth_method: "client_secret_basic",
  ...extra,
});

describe("npm run clients: what list and initial-tokens print", () => {
  it("list says who registered each client, and with which initial access token", () => {
    const text = formatClientTable([
      client("web", { registered_dynamically: false, initial_access_token_id: null }),
      client("aB3xYz", { registered_dynamically: true, initial_access_token_id: null }),
      client("Qr7PpL", { registered_dynamically: true, initial_access_token_id: "tok123", token_endpoint_auth_method: "none", client_type: "public" }),
    ]);
    expect(text.split("\n")).toEqual([
      "ID      TYPE          AUTH METHOD          REGISTERED BY           NAME",
      "web     confidential  client_secret_basic  operator                App web",
      "aB3xYz  confidential  client_secret_basic  dynamic (open)          App aB3xYz",
      "Qr7PpL  public        none                 dynamic (token tok123)  App Qr7PpL",
    ]);
  });

  it("initial-tokens shows state, uses, expiry and policy, never a token", () => {
    const token: InitialToken = {
      id: "tok123",
      label: "partner",
      grant_types: ["authorization_code", "refresh_token"],
      scope: "openid profile",
      token_endpoint_auth_methods: null,
      max_uses: 5,
      used: 2,
      expires_at: Date.UTC(2026, 11, 1, 12, 0, 0),
      state: "active",
    };
    expect(formatTokenTable([token]).split("\n")).toEqual([
      "ID      STATE   USES  EXPIRES               GRANT TYPES                       SCOPE           AUTH METHODS  LABEL",
      "tok123  active  2/5   2026-12-01T12:00:00Z  authorization_code,refresh_token  openid profile  any           partner",
    ]);
    expect(formatTokenTable([])).toBe("no initial access tokens");
  });
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

describe("npm run clients -- initial-token, end to end against an operator API", () => {
  it("posts the policy with the operator token and prints the token once", async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; body: unknown }> = [];
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: text ? JSON.parse(text) : null });
        res.writeHead(201, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            initial_access_token: "iat-secret-value",
            token: { id: "tok9", label: null, grant_types: ["authorization_code"], scope: "openid", token_endpoint_auth_methods: null, max_uses: 3, used: 0, expires_at: Date.UTC(2026, 0, 8), state: "active" },
          }),
        );
      });
    });
    await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { stdout } = await promisify(execFile)(process.execPath, [resolve("cli/clients.ts"), "initial-token", "--grant-type", "authorization_code", "--max-uses", "3", "--ttl", "7d"], {
      env: { ...process.env, AUTHSHARD_URL: url, ADMIN_TOKEN: "operator-token-0123456789" },
    });
    expect(seen).toEqual([{ method: "POST", url: "/admin/registration-tokens", auth: "Bearer operator-token-0123456789", body: { grant_types: ["authorization_code"], max_uses: 3, ttl_s: 604_800 } }]);
    expect(stdout).toContain("initial access token tok9: 3 registrations until 2026-01-08T00:00:00.000Z");
    expect(stdout).toContain("\niat-secret-value\n");
  });
});
