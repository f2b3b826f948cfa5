import type { AuthorizationAsk, Authorized, NewSession } from "../api.ts";

// Federation (federation.ts): sign-in through an upstream identity provider, linking and
// unlinking upstream identities, in the user's bucket. One actor method, `federation`, takes
// one of these operations.

/** The profile a just-in-time account gets from the upstream's claims (the claim mapping applied). */
export interface FederatedProfile {
  /** "" when the upstream gave no email (such an account signs in only through its upstreams). */
  email: string;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
}

export interface FederatedLink {
  provider: string;
  subject: string;
  email: string | null;
  /** The upstream's tokens, sealed; only when the operator keeps them for this provider. */
  sealedTokens: string | null;
}

export interface LinkedIdentityView {
  provider: string;
  subject: string;
  email: string | null;
  linked_at: number;
  last_sign_in_at: number | null;
  tokens_kept: boolean;
}

export type FederationOp =
  | {
      op: "signIn";
      bucket: number;
      userId: string;
      /** Just-in-time creation: the account to create when no user has this id yet. */
      create: FederatedProfile | null;
      link: FederatedLink;
      session: NewSession;
      /** RFC 8176 values for the session: "fed", plus the upstream's own where the operator trusts them. */
      amr: string[];
      /** The authorization to continue; null for a sign-in started from a stand-alone page. */
      ask: AuthorizationAsk | null;
    }
  | { op: "link"; bucket: number; sessionHash: string; link: FederatedLink }
  | { op: "unlink"; bucket: number; sessionHash: string; provider: string; subject: string }
  | { op: "list"; bucket: number; sessionHash: string }
  /** The operator's view of a user's links (GET /admin/users/:id/identities); not_found for no such user. */
  | { op: "list"; bucket: number; userId: string };

export interface FederationResult {
  userId: string;
  /** signIn: the new session's id, and whether the account was created now. */
  sid?: string;
  created?: boolean;
  authorized?: Authorized | null;
  /** link/unlink/list: the user's linked identities afterwards. */
  links?: LinkedIdentityView[];
}
