import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import * as oauth from "oauth4webapi";
import { isPresetName, PRESETS, type ClaimMapping } from "../../../federation/presets";
import { sealSecret } from "../../../oauth/sealed-secret";
import { APPLE_ID, appleKeyBinding, importAppleKey } from "../../../federation/apple-secret";
import { deleteUpstreamRow, getUpstreamRow, listUpstreamRows, putUpstreamRow, type UpstreamRow } from "../../d1/upstreams";
import { invalidRequest, notFound, OAuthError } from "../../errors";
import { forgetUpstreams, upstreamUrlProblem } from "../../federation/providers";
import type { AppEnv } from "../../types";
import type { Config } from "../../../config";
import { readJson } from "./body";

const url = z.nullable(z.string().check(z.superRefine((v, ctx) => {
  const why = upstreamUrlProblem(v);
  if (why) ctx.addIssue({ code: "custom", message: why, input: v });
})));
const member = z.string().check(z.regex(/^[A-Za-z0-9_.]{1,64}$/, "must be a claim name (a dotted path for nested members)"));

/** What an operator sends for an upstream provider; whatever is left out comes from the preset. */
export const upstreamBody = z.strictObject({
  preset: z.string().check(z.refine(isPresetName, `must be one of ${Object.keys(PRESETS).join(", ")}`)),
  display_name: z.optional(z.string().check(z.minLength(1), z.maxLength(60))),
  issuer: z.optional(url),
  authorization_endpoint: z.optional(url),
  token_endpoint: z.optional(url),
  userinfo_endpoint: z.optional(url),
  emails_endpoint: z.optional(url),
  jwks_uri: z.optional(url),
  client_id: z.string().check(z.minLength(1), z.maxLength(255)),
  client_secret: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  apple_team_id: z.optional(z.string().check(z.regex(APPLE_ID, "must be Apple's 10-character Team ID"))),
  apple_key_id: z.optional(z.string().check(z.regex(APPLE_ID, "must be Apple's 10-character Key ID"))),
  apple_private_key: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  scope: z.optional(z.string().check(z.maxLength(1000))),
  claim_mapping: z.optional(z.partial(z.strictObject({ subject: member, email: member, emailVerified: z.nullable(member), name: member, givenName: z.nullable(member), familyName: z.nullable(member) }))),
  link_policy: z._default(z.enum(["never", "verified_email"]), "never"),
  show_on_login: z._default(z.boolean(), true),
  store_tokens: z._default(z.boolean(), false),
  trust_amr: z._default(z.boolean(), false),
});
type UpstreamBody = z.infer<typeof upstreamBody>;

/** As the operator API shows a provider: the client secret and Apple key never leave, only whether one is set. */
export function upstreamView(row: UpstreamRow) {
  const { sealedSecret, appleSealedKey, claimMapping, ...rest } = row;
  return { ...rest, claim_mapping: claimMapping, client_secret_set: sealedSecret !== null, apple_private_key_set: appleSealedKey !== null };
}

/** A generic OpenID upstream's endpoints, from its discovery document (OpenID Connect Discovery §4). */
async function discover(config: Config, issuer: string) {
  try {
    const response = await oauth.discoveryRequest(new URL(issuer), { signal: AbortSignal.timeout(config.federation.timeoutMs), [oauth.allowInsecureRequests]: issuer.startsWith("http:") });
    return await oauth.processDiscoveryResponse(new URL(issuer), response);
  } catch (e) {
    throw invalidRequest(`issuer: its discovery document could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * Apple's Team ID, Key ID and .p8 key (sealed like the client secret, bound to the provider
 * id): the three together or none; each left out of a PUT keeps the stored one. The key must
 * import as an ES256 (P-256) PKCS#8 private key, else the PUT is refused.
 */
async function appleKeyOf(config: Config, id: string, body: UpstreamBody, previous: UpstreamRow | null) {
  const given = body.apple_team_id !== undefined || body.apple_key_id !== undefined || body.apple_private_key !== undefined;
  if (given && body.preset !== "apple") throw invalidRequest("apple_team_id, apple_key_id and apple_private_key are for the apple preset only");
  const kept = body.preset === "apple" ? previous : null;
  const appleTeamId = body.apple_team_id ?? kept?.appleTeamId ?? null;
  const appleKeyId = body.apple_key_id ?? kept?.appleKeyId ?? null;
  let appleSealedKey = kept?.appleSealedKey ?? null;
  if (body.apple_private_key !== undefined) {
    if (!(await importAppleKey(body.apple_private_key))) throw invalidRequest("apple_private_key: must be the PEM of Apple's .p8 key (PKCS#8, an ES256 P-256 private key)");
    if (!config.federation.secretKey) throw invalidRequest("apple_private_key: FEDERATION_SECRET_KEY is not set, so no key can be kept");
    appleSealedKey = await sealSecret(config.federation.secretKey, appleKeyBinding(id), body.apple_private_key.trim());
  }
  const set = [appleTeamId, appleKeyId, appleSealedKey].filter((v) => v !== null).length;
  if (set !== 0 && set !== 3) throw invalidRequest("apple_team_id, apple_key_id and apple_private_key: all three are needed to mint Apple's client secret");
  return { appleTeamId, appleKeyId, appleSealedKey };
}

async function rowOf(config: Config, id: string, body: UpstreamBody, previous: UpstreamRow | null): Promise<UpstreamRow> {
  const preset = PRESETS[body.preset as keyof typeof PRESETS];
  const issuer = body.issuer ?? preset.issuer;
  const found = preset.discovery && issuer && !body.authorization_endpoint ? await discover(config, issuer) : null;
  const pick = (given: string | null | undefined, fromPreset: string | null, discovered: string | undefined) => given ?? discovered ?? fromPreset;
  const authorizationEndpoint = pick(body.authorization_endpoint, preset.authorizationEndpoint, found?.authorization_endpoint);
  const tokenEndpoint = pick(body.token_endpoint, preset.tokenEndpoint, found?.token_endpoint);
  const jwksUri = pick(body.jwks_uri, preset.jwksUri, found?.jwks_uri);
  const userinfoEndpoint = pick(body.userinfo_endpoint, preset.userinfoEndpoint, found?.userinfo_endpoint);
  if (!authorizationEndpoint || !tokenEndpoint) throw invalidRequest("authorization_endpoint and token_endpoint are required (or an issuer to discover them from)");
  if (preset.kind === "oidc" && (!issuer || !jwksUri)) throw invalidRequest("an OpenID upstream needs issuer and jwks_uri (given, or from discovery)");
  if (preset.kind === "oauth2" && !userinfoEndpoint) throw invalidRequest("an OAuth 2.0 upstream needs userinfo_endpoint");
  for (const [name, value] of Object.entries({ authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint, jwks_uri: jwksUri, userinfo_endpoint: userinfoEndpoint })) {
    const why = value ? upstreamUrlProblem(value) : null;
    if (why) throw invalidRequest(`${name}: ${why}`);
  }
  let sealedSecret = previous?.sealedSecret ?? null;
  if (body.client_secret !== undefined) {
    if (!config.federation.secretKey) throw new OAuthError("invalid_request", 400, "client_secret: FEDERATION_SECRET_KEY is not set, so no secret can be kept");
    sealedSecret = await sealSecret(config.federation.secretKey, id, body.client_secret);
  }
  const apple = await appleKeyOf(config, id, body, previous);
  const now = Date.now();
  return {
    id, preset: body.preset, displayName: body.display_name ?? preset.displayName, kind: preset.kind, issuer,
    authorizationEndpoint, tokenEndpoint, userinfoEndpoint, emailsEndpoint: body.emails_endpoint ?? preset.emailsEndpoint, jwksUri,
    clientId: body.client_id, sealedSecret, ...apple, scope: body.scope ?? preset.scope, claimMapping: { ...preset.claimMapping, ...body.claim_mapping } as ClaimMapping,
    linkPolicy: body.link_policy, showOnLogin: body.show_on_login, storeTokens: body.store_tokens, trustAmr: body.trust_amr, createdAt: now, updatedAt: now,
  };
}

const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/**
 * Operator API for upstream identity providers (README "Sign in with other providers
 * (federation)"). PUT creates or replaces one; a PUT without client_secret (or Apple's
 * key fields) keeps the stored one. Every change drops this isolate's cache; other isolates see it within
 * CLIENT_CACHE_TTL_MS.
 */
export const adminUpstreams = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ upstreams: (await listUpstreamRows(c.env.DB)).map(upstreamView) }))
  .get("/:id", async (c) => {
    const row = await getUpstreamRow(c.env.DB, c.req.param("id"));
    if (!row) throw notFound("no such upstream provider");
    return c.json({ upstream: upstreamView(row) });
  })
  .put("/:id", async (c) => {
    const id = c.req.param("id");
    if (!ID.test(id)) throw invalidRequest("id: must be 1-40 lowercase letters, digits, '-' or '_'");
    const body = await readJson(c, upstreamBody);
    const row = await rowOf(c.var.config, id, body, await getUpstreamRow(c.env.DB, id));
    const saved = await putUpstreamRow(c.env.DB, row).finally(forgetUpstreams);
    return c.json({ upstream: upstreamView(saved.row) }, saved.created ? 201 : 200);
  })
  .delete("/:id", async (c) => {
    const deleted = await deleteUpstreamRow(c.env.DB, c.req.param("id"));
    forgetUpstreams();
    if (!deleted) throw notFound("no such upstream provider");
    return c.body(null, 204);
  });
