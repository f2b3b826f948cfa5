import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { JWK } from "jose";

/** Tables of KeyManagerActor: the signing keys and the rotation schedule. */

/**
 * One row per signing key. A key moves next → active → retired and is deleted once
 * `retire_until` has passed: by then every token it signed has expired.
 */
export const signingKeys = sqliteTable(
  "signing_keys",
  {
    // RFC 7638 JWK thumbprint (SHA-256) of the public key.
    kid: text("kid").primaryKey(),
    // ES256 | RS256
    alg: text("alg").notNull(),
    // next | active | retired
    state: text("state").notNull(),
    publicJwk: text("public_jwk", { mode: "json" }).$type<JWK>().notNull(),
    // Never leaves the actor except to the router, which signs with it.
    privateJwk: text("private_jwk", { mode: "json" }).$type<JWK>().notNull(),
    createdAt: integer("created_at").notNull(),
    activatedAt: integer("activated_at"),
    retiredAt: integer("retired_at"),
    retireUntil: integer("retire_until"),
  },
  (t) => [index("signing_keys_state").on(t.alg, t.state)],
);

/** The single schedule row: when the next rotation is due. */
export const rotation = sqliteTable("rotation", {
  id: integer("id").primaryKey(),
  rotatesAt: integer("rotates_at").notNull(),
  lastRotatedAt: integer("last_rotated_at"),
});
