import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// SAML 2.0 IdP: the service providers of a session, for single logout (SAML Profiles §4.4).

/**
 * One SP that got an assertion in a session: written with each SSO response (one row per
 * session and SP, the last assertion's NameID wins), read and deleted when the session ends
 * so the logout page can send each SP a LogoutRequest naming the same NameID and
 * SessionIndex, and swept with its session. `name_id` is null for the persistent format:
 * that value is the pairwise HMAC of the user id, computed again by the router.
 */
export const samlParticipants = sqliteTable(
  "saml_participants",
  {
    sid: text("sid").notNull(),
    spEntityId: text("sp_entity_id").notNull(),
    bucket: integer("bucket").notNull(),
    userId: text("user_id").notNull(),
    // email | persistent | unspecified (NameIdFormat)
    nameIdFormat: text("name_id_format").notNull(),
    nameId: text("name_id"),
    sessionIndex: text("session_index"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sid, t.spEntityId] }), index("saml_participants_bucket").on(t.bucket)],
);
