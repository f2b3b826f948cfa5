import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Federation (sign in with upstream identity providers): the identities linked to a user,
// in the user's bucket and in the table registry (registry.ts), so they move with it.

/**
 * One upstream identity linked to a user. D1's federated_identities finds the user by
 * (provider, subject); this row is the user's own list (account page, "last way to sign
 * in" check). `sealed_tokens` holds the upstream's tokens only when the operator enabled
 * it for the provider (AES-GCM under FEDERATION_SECRET_KEY, bound to the user id).
 */
export const federatedLinks = sqliteTable(
  "federated_links",
  {
    userId: text("user_id").notNull(),
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    bucket: integer("bucket").notNull(),
    email: text("email"),
    sealedTokens: text("sealed_tokens"),
    linkedAt: integer("linked_at").notNull(),
    lastSignInAt: integer("last_sign_in_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.provider, t.subject] }), index("federated_links_bucket").on(t.bucket)],
);
