import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { publicJwksProblem } from "../../../oauth/jwks";
import { parseScope, storedScope, formatScope } from "../../../oauth/scopes";
import { httpsUriProblem } from "../../clients/uri-rules";
import { forgetTrustedIssuer } from "../../clients/trusted-issuers";
import { deleteTrustedIssuerRow, getTrustedIssuerRow, listTrustedIssuerRows, putTrustedIssuerRow, trustedIssuerView, type TrustedIssuerRow } from "../../d1/trusted-issuers";
import { notFound } from "../../errors";
import type { AppEnv } from "../../types";
import { readJson } from "./body";

const VISIBLE = /^[\x21-\x7e]{1,512}$/;
/** Scopes about a signed-in person's session: a JWT bearer token is issued without one, so no ID token and no refresh token. */
const SESSION_SCOPES = ["openid", "offline_access"];

const checked = (problem: (value: unknown) => string | null) =>
  z.superRefine((value: unknown, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: "custom", message: why, input: value });
  });

/** What an operator registers for an issuer it trusts (RFC 7523 §2.1, §3). */
export const trustedIssuerBody = z
  .strictObject({
    issuer: z.string().check(z.regex(VISIBLE, "must be 1-512 visible ASCII characters (the iss its assertions carry)")),
    jwks: z._default(z.nullable(z.record(z.string(), z.unknown()).check(checked(publicJwksProblem))), null),
    jwks_uri: z._default(z.nullable(z.string().check(checked((v) => httpsUriProblem(v as string)))), null),
    audiences: z._default(z.array(z.string().check(z.regex(VISIBLE, "must be 1-512 visible ASCII characters"))).check(z.maxLength(10)), []),
    subject_type: z.enum(["user", "client"]),
    scope: z.string().check(
      z.maxLength(1000),
      z.refine((s) => parseScope(s) !== null, "must be space-separated scope tokens (RFC 6749 §3.3)"),
      z.refine((s) => !storedScope(s).some((t) => SESSION_SCOPES.includes(t)), "openid and offline_access need a sign-in; a JWT bearer token carries neither"),
    ),
    max_lifetime_s: z._default(z.int().check(z.minimum(30), z.maximum(3600)), 300),
  })
  .check(
    z.superRefine((body, ctx) => {
      if ((body.jwks === null) === (body.jwks_uri === null)) {
        ctx.addIssue({ code: "custom", path: ["jwks"], message: "give the issuer's public keys as jwks or jwks_uri (exactly one)", input: body });
      }
    }),
  );

/**
 * Operator API for the issuers whose JWT bearer assertions /token accepts. Every change
 * drops the issuer from this isolate's cache; other isolates see it within CLIENT_CACHE_TTL_MS.
 */
export const adminTrustedIssuers = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ trusted_issuers: (await listTrustedIssuerRows(c.env.DB)).map(trustedIssuerView) }))
  .get("/:issuer", async (c) => {
    const row = await getTrustedIssuerRow(c.env.DB, c.req.param("issuer"));
    if (!row) throw notFound("no such trusted issuer");
    return c.json({ trusted_issuer: trustedIssuerView(row) });
  })
  .put("/", async (c) => {
    const body = await readJson(c, trustedIssuerBody);
    const now = Date.now();
    const row: TrustedIssuerRow = {
      issuer: body.issuer,
      jwks: body.jwks as TrustedIssuerRow["jwks"],
      jwksUri: body.jwks_uri,
      audiences: [...new Set(body.audiences)],
      subjectType: body.subject_type,
      scope: formatScope(storedScope(body.scope)),
      maxLifetimeS: body.max_lifetime_s,
      createdAt: now,
      updatedAt: now,
    };
    const saved = await putTrustedIssuerRow(c.env.DB, row).finally(() => forgetTrustedIssuer(body.issuer));
    return c.json({ trusted_issuer: trustedIssuerView(saved.row) }, saved.created ? 201 : 200);
  })
  .delete("/:issuer", async (c) => {
    const issuer = c.req.param("issuer");
    const deleted = await deleteTrustedIssuerRow(c.env.DB, issuer);
    forgetTrustedIssuer(issuer);
    if (!deleted) throw notFound("no such trusted issuer");
    return c.body(null, 204);
  });
