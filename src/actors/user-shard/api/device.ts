import type { UserView } from "./users.ts";
import type { DpopAtToken } from "./dpop.ts";

// Device authorization (RFC 8628): the pending request in its user code's bucket (device.ts),
// the grant in the user's shard (device-grants.ts).

export interface NewDeviceRequest {
  bucket: number;
  deviceCodeHash: string;
  userCodeHash: string;
  clientId: string;
  scope: string;
  ttlS: number;
  intervalS: number;
}

/** What the approval page shows about a pending request. */
export interface DeviceRequestView {
  clientId: string;
  scope: string;
}

/** The user's answer, after the grant was written in the user's shard (approve) or not (deny). */
export interface DeviceDecision {
  bucket: number;
  userCodeHash: string;
  approved: { userId: string; grantId: string; authTime: number; acr: string; amr: string[] } | null;
}

export interface DevicePollInput {
  bucket: number;
  deviceCodeHash: string;
  clientId: string;
}

/** RFC 8628 §3.5 answers while there is nothing to redeem, or the approved grant, redeemed now. */
export type DevicePoll =
  | { status: "authorization_pending" | "slow_down" | "access_denied" | "expired_token" }
  | { status: "approved"; userId: string; grantId: string; scope: string; authTime: number; acr: string; amr: string[] };

export interface DeviceGrantInput {
  bucket: number;
  sessionHash: string;
  grantId: string;
  clientId: string;
  scope: string;
  /** Until the device redeems: an approval nobody redeems ends with its device code. */
  pendingTtlS: number;
  /** MFA policy: only a session with the MFA acr may approve (login_required otherwise). */
  requireMfa?: boolean;
}

export interface DeviceApprover {
  /** The approving session's sid (a step-up to the second factor names it). */
  sid: string;
  userId: string;
  email: string;
  authTime: number;
  acr: string;
  amr: string[];
}

export interface DeviceRedeemInput {
  bucket: number;
  userId: string;
  grantId: string;
  refreshTokenHash: string | null;
  grantTtlS: number;
  offlineTtlS: number;
  /** The request's DPoP proof (RFC 9449), if it carried one. */
  dpop?: DpopAtToken;
}

export interface DeviceRedeemed {
  user: UserView;
  scope: string;
  refreshIssued: boolean;
}
