import type { UserView } from "./users.ts";

// Client-initiated backchannel authentication (OpenID CIBA Core 1.0), all in the user's own
// shard (ciba.ts, ciba-grants.ts): the request, the grant approval writes, its redemption.

export interface NewCibaRequest {
  bucket: number;
  requestId: string;
  authReqIdHash: string;
  /** Chosen now (derived from the auth_req_id), so a poll can mint the refresh token before its one call. */
  grantId: string;
  userId: string;
  clientId: string;
  scope: string;
  bindingMessage: string | null;
  mode: "poll" | "ping" | "push";
  notificationToken: string | null;
  ttlS: number;
  intervalS: number;
}

/** What the approval page shows, and whom it must be approved by. */
export interface CibaRequestView {
  requestId: string;
  bucket: number;
  userId: string;
  clientId: string;
  scope: string;
  bindingMessage: string | null;
  expiresAt: number;
}

export interface CibaDecision {
  bucket: number;
  requestId: string;
  /** The approver's browser session: it must be the user the request names. */
  sessionHash: string;
  approve: boolean;
  /** MFA policy: only a session with the MFA acr may approve (login_required otherwise). */
  requireMfa?: boolean;
}

/** What a redemption (poll or push) needs to finish the grant. */
export interface CibaRedeemTerms {
  refreshTokenHash: string | null;
  grantTtlS: number;
  offlineTtlS: number;
}

export interface CibaPollInput extends CibaRedeemTerms {
  bucket: number;
  authReqIdHash: string;
  clientId: string;
}

/** The grant, finished: the tokens can be signed. */
export interface CibaRedeemed {
  status: "approved";
  user: UserView;
  grantId: string;
  scope: string;
  authTime: number;
  acr: string;
  amr: string[];
  refreshIssued: boolean;
}

/** §11 answers while there is nothing to redeem (or never will be), or the grant, redeemed by this call. */
export type CibaPoll = { status: "authorization_pending" | "slow_down" | "access_denied" | "expired_token" } | CibaRedeemed;

/** The notification consumer's one call per ping or push job (§10.2, §10.3). */
export interface CibaDeliveryInput extends CibaRedeemTerms {
  bucket: number;
  requestId: string;
}

export type CibaDelivery = {
  clientId: string;
  mode: "ping" | "push";
  notificationToken: string;
  /** push: the tokens to sign (redeemed by this call), an error to push, or already pushed (a redelivered job). */
  outcome: CibaRedeemed | { status: "access_denied" | "expired_token" | "already_delivered" | "pending" };
};

/** /dev/ciba: the pending requests of one shard (local development only), as the approval page sees each. */
export type CibaPending = CibaRequestView;
