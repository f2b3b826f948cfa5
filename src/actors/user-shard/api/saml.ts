import type { UserView } from "./users.ts";

/** The NameID formats of src/saml/sp-metadata.ts (NameIdFormat), spelled out: this file is shared with node-side code. */
export type SamlNameIdFormat = "email" | "persistent" | "unspecified";

/** SAML 2.0 IdP (src/router/saml): the person behind a session cookie, for an SSO response to `entityId`. */
export interface SamlSubjectInput {
  bucket: number;
  sessionHash: string;
  /** The service provider the assertion is for (audited). */
  entityId: string;
  /** The assertion's NameID format: recorded with the SP as a participant of the session, for single logout. */
  nameIdFormat: SamlNameIdFormat;
}

export interface SamlSubject {
  user: UserView;
  /** The session's sid: the assertion's SessionIndex (SAML Core §2.7.2), named again by LogoutRequests. */
  sid: string;
  authTime: number;
  acr: string;
  amr: string[];
}

/**
 * An SP that got an assertion in an ended session (saml_participants), returned by the
 * shard call that ends it so the logout page can send it a LogoutRequest (SAML Profiles §4.4).
 * `nameId` is null for the persistent format (the router derives it from the user id again).
 */
export interface SamlParticipant {
  entityId: string;
  nameIdFormat: SamlNameIdFormat;
  nameId: string | null;
  sessionIndex: string | null;
}
