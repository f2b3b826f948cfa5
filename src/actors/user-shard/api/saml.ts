import type { UserView } from "./users.ts";

/** SAML 2.0 IdP (src/router/saml): the person behind a session cookie, for an SSO response to `entityId`. */
export interface SamlSubjectInput {
  bucket: number;
  sessionHash: string;
  /** The service provider the assertion is for (audited). */
  entityId: string;
}

export interface SamlSubject {
  user: UserView;
  /** The session's sid: the assertion's SessionIndex (SAML Core §2.7.2), named again by LogoutRequests. */
  sid: string;
  authTime: number;
  acr: string;
  amr: string[];
}
