/**
 * The RPC contract of UserShardActor: every method the router and the directory may
 * call, with its inputs and results. Callers import this file only, never the
 * actor's internals; the actor class implements `UserShardApi`, so the two cannot
 * drift apart. Results are plain values (`ShardResult`): error classes do not
 * survive Workers RPC, and a failure's `detail` is for logs, never for clients.
 */
import type { OwnershipUpdate, ShardResult } from "../results.ts";
import type { BucketInventory, BucketBackup, RestoreInput, RestoreOutcome, RollbackTarget, RollbackScheduled, CopyCursor, TablePage, BucketPage, BucketDelta, BucketChecksum, BucketDigest, Row } from "./api/bucket-data.ts";
import type { NewDeviceRequest, DeviceRequestView, DeviceDecision, DevicePollInput, DevicePoll, DeviceGrantInput, DeviceApprover, DeviceRedeemInput, DeviceRedeemed } from "./api/device.ts";
import type { UserView } from "./api/users.ts";
import type { DpopAtToken, DpopProofRecord } from "./api/dpop.ts";
import type { NewCibaRequest, CibaRequestView, CibaDecision, CibaPollInput, CibaPoll, CibaDeliveryInput, CibaDelivery, CibaPending } from "./api/ciba.ts";
import type { AssertionGrant, AssertionGrantInput, SpendAssertionInput } from "./api/assertions.ts";

// The contract's other parts, for callers that import this file only.
export * from "./api/bucket-data.ts";
export type * from "./api/dpop.ts";
export type * from "./api/device.ts";
import type { NewPushedRequest, PushedRequest, TakePushedInput } from "./api/pushed.ts";
export type * from "./api/pushed.ts";
export type * from "./api/users.ts";
export type * from "./api/ciba.ts";
export type * from "./api/assertions.ts";
import type { IntrospectRefreshInput, RefreshIntrospection, RevokeAccessInput, RevokeRefreshInput, Revoked } from "./api/revocation.ts";
export type * from "./api/revocation.ts";
import type { NewEmailChallenge, EmailSignInInput, EmailSignedIn, PasswordResetInput } from "./api/email.ts";
export type * from "./api/email.ts";
import type { AccountAction, AccountActionResult, AccountOverview, SecondFactorChallenge, SecondFactorProof, SecondFactorRequired, SecondFactorTarget } from "./api/mfa.ts";
export type * from "./api/mfa.ts";
import type { DirectoryLinkView, DirectoryUserInput, DirectoryUserResult } from "./api/ldap.ts";
export type * from "./api/ldap.ts";
import type { SamlParticipant, SamlSubject, SamlSubjectInput } from "./api/saml.ts";
export type * from "./api/saml.ts";
import type { AccessRecord, AccessWrite, AccessWritten } from "./api/access.ts";
export type * from "./api/access.ts";
import type { FederationOp, FederationResult } from "./api/federation.ts";
export type * from "./api/federation.ts";
import type { PasskeyOp, PasskeyResult } from "./api/passkeys.ts";
export type * from "./api/passkeys.ts";

export interface UserShardApi {
  /** Passkeys (api/passkeys.ts): one method, the operation named by the input's kind. */
  passkey(op: PasskeyOp): ShardResult<PasskeyResult>;
  /** Two-factor sign-in (api/mfa.ts): the code check's challenge and completion, and the account page's read and forms. */
  secondFactorChallenge(bucket: number, userId: string): ShardResult<SecondFactorChallenge>;
  completeSecondFactor(bucket: number, userId: string, proof: SecondFactorProof, target: SecondFactorTarget, ask: AuthorizationAsk): ShardResult<LoginOutcome>;
  accountOverview(bucket: number, sessionHash: string): ShardResult<AccountOverview>;
  accountAction(bucket: number, sessionHash: string, action: AccountAction): ShardResult<AccountActionResult>;
  /** Roles, groups, attributes and SCIM data (api/access.ts): read, change (create with SCIM), delete the user. */
  readAccess(bucket: number, userId: string): ShardResult<AccessRecord>;
  writeAccess(input: AccessWrite): ShardResult<AccessWritten>;
  deleteUser(bucket: number, userId: string, actor: string): ShardResult<{ email: string; groups: string[] }>;
  /** Federation (federation.ts): upstream sign-in (just-in-time account), link, unlink, list. */
  federation(input: FederationOp): ShardResult<FederationResult>;
  /** Directory push: the full set of buckets this shard owns at `version`. */
  syncOwnership(update: OwnershipUpdate): ShardResult<{ applied: boolean; resync?: boolean }>;
  createUser(input: NewUser): ShardResult<{ user: UserView }>;
  getUser(bucket: number, id: string): ShardResult<{ user: UserView }>;
  /** The stored password verifier; the router derives and compares (PBKDF2 runs off the shard). */
  getPasswordVerifier(bucket: number, id: string): ShardResult<{ user: UserView; verifier: string | null }>;
  disableUser(bucket: number, id: string): ShardResult<{ user: UserView }>;
  /** Undoes disableUser (audited `user.enabled`, method operator); the sessions it ended stay ended. */
  enableUser(bucket: number, id: string): ShardResult<{ user: UserView }>;
  /** The operator sets a new password (PBKDF2 verifier made in the router); every session ends (audited `password.set`). */
  setPassword(bucket: number, id: string, verifier: string): ShardResult<{ user: UserView; ended: number }>;
  /** Sign-in, step 1: the password verifier and whether the account is slowed down. */
  loginChallenge(bucket: number, userId: string): ShardResult<LoginChallenge>;
  /** Sign-in, step 2: record the outcome; on success open a session and continue the authorization. */
  completeLogin(bucket: number, userId: string, passwordOk: boolean, session: NewSession, ask: AuthorizationAsk): ShardResult<LoginOutcome>;
  /** /authorize with a session cookie: session, max_age and consent checked, code stored. */
  authorize(bucket: number, sessionHash: string, ask: AuthorizationAsk): ShardResult<Authorized>;
  /** The consent page's "Allow": consent remembered and code stored. */
  grantConsent(bucket: number, sessionHash: string, expectedSid: string, ask: AuthorizationAsk): ShardResult<Authorized>;
  /** /token authorization_code: single-use redemption; a replay revokes what the code issued. */
  redeemCode(input: RedeemInput): ShardResult<Redeemed>;
  /** RFC 8628 device authorization: the pending request (device/user-code bucket) and the user's grant. */
  startDevice(input: NewDeviceRequest): ShardResult<object>;
  findDevice(bucket: number, userCodeHash: string): ShardResult<DeviceRequestView>;
  decideDevice(decision: DeviceDecision): ShardResult<object>;
  pollDevice(input: DevicePollInput): ShardResult<DevicePoll>;
  deviceApprover(bucket: number, sessionHash: string): ShardResult<DeviceApprover>;
  writeDeviceGrant(input: DeviceGrantInput): ShardResult<DeviceApprover>;
  redeemDeviceGrant(input: DeviceRedeemInput): ShardResult<DeviceRedeemed>;
  /** RFC 9126 pushed authorization requests, in the random bucket of their request_uri: stored, then taken once. */
  pushRequest(input: NewPushedRequest): ShardResult<object>;
  takePushedRequest(input: TakePushedInput): ShardResult<PushedRequest>;
  /** CIBA (OpenID CIBA Core 1.0): request, approval page, decision, poll, ping/push delivery, dev listing — all in the user's shard. */
  startCiba(input: NewCibaRequest): ShardResult<object>;
  findCiba(bucket: number, requestId: string): ShardResult<CibaRequestView>;
  decideCiba(decision: CibaDecision): ShardResult<object>;
  pollCiba(input: CibaPollInput): ShardResult<CibaPoll>;
  deliverCiba(input: CibaDeliveryInput): ShardResult<CibaDelivery>;
  pendingCiba(): ShardResult<{ requests: CibaPending[] }>;
  spendAssertion(input: SpendAssertionInput): ShardResult<object>;
  /** SAML 2.0 IdP: the session's user for an assertion (audited); AuthnRequest IDs are spent with spendAssertion. */
  samlSubject(input: SamlSubjectInput): ShardResult<SamlSubject>;
  issueAssertionGrant(input: AssertionGrantInput): ShardResult<AssertionGrant>;
  /** /token refresh_token: rotation; reuse of a retired token revokes the family. */
  rotateRefresh(input: RotateInput): ShardResult<Rotated>;
  /** /userinfo: the access token (by jti) and the grant behind it are live; the user's current claims. */
  /** With a DPoP proof (RFC 9449 §7), the proof is remembered in the same transaction and a replay refused. */
  userinfo(bucket: number, userId: string, grantId: string, jti: string, proof?: DpopProofRecord | null): ShardResult<{ user: UserView; scope: string; claims: string | null }>;
  revokeAccess(input: RevokeAccessInput): ShardResult<Revoked>;
  revokeRefresh(input: RevokeRefreshInput): ShardResult<Revoked>;
  introspectAccess(bucket: number, userId: string, grantId: string, jti: string): ShardResult<{ active: boolean }>;
  introspectRefresh(input: IntrospectRefreshInput): ShardResult<RefreshIntrospection>;
  endSession(bucket: number, sessionHash: string, expectedSub: string | null, context: EndContext): ShardResult<Ended>;
  endSessionBySid(bucket: number, userId: string, sid: string, context: EndContext): ShardResult<Ended>;
  endAllSessions(bucket: number, userId: string, context: EndContext): ShardResult<{ ended: string[] }>;
  listSessions(bucket: number, userId: string): ShardResult<{ sessions: SessionView[] }>;
  listConsents(bucket: number, userId: string): ShardResult<{ consents: ConsentView[] }>;
  /** Email codes and magic links (sign-in) and reset codes: stored, then spent once in the asking browser. */
  startEmailChallenge(input: NewEmailChallenge): ShardResult<object>;
  redeemEmailSignIn(input: EmailSignInInput): ShardResult<EmailSignedIn>;
  resetPassword(input: PasswordResetInput): ShardResult<{ ended: string[] }>;
  /** LDAP / Active Directory (api/ldap.ts): a directory user created, updated or disabled from the directory; its link. */
  upsertDirectoryUser(input: DirectoryUserInput): ShardResult<DirectoryUserResult>;
  directoryLink(bucket: number, id: string): ShardResult<{ link: DirectoryLinkView | null }>;
  revokeConsent(bucket: number, userId: string, clientId: string): ShardResult<{ revoked: boolean; grants: number }>;
  // The bucket mover, driven by ShardDirectoryActor.
  exportBucket(bucket: number, from: CopyCursor | null, limit: number): ShardResult<BucketPage>;
  importRows(bucket: number, pages: TablePage[]): ShardResult<{ imported: number }>;
  bucketDigest(bucket: number, tables?: string[]): ShardResult<{ digest: BucketDigest }>;
  bucketChecksum(bucket: number): Promise<ShardResult<{ checksum: BucketChecksum }>>;
  exportKeys(bucket: number, keys: Record<string, string[]>): ShardResult<{ columns: Record<string, string[]>; rows: Record<string, Row[]> }>;
  applyDelta(bucket: number, delta: BucketDelta): Promise<ShardResult<{ checksum: BucketChecksum }>>;
  dropBucket(bucket: number, limit: number): ShardResult<{ deleted: number; more: boolean }>;
  bucketInventory(first: number, last: number): Promise<ShardResult<BucketInventory>>;
  // Backups to R2 (backup.ts), driven by ShardDirectoryActor; the rows go between this shard and R2 only.
  /** Buckets this shard owns that hold at least one row: the only ones a backup visits. */
  bucketsWithRows(): ShardResult<{ buckets: number[] }>;
  /** Reads an owned bucket in one transaction and writes it to the BACKUPS bucket as one object. */
  backupBucket(bucket: number, backupId: string): Promise<ShardResult<BucketBackup>>;
  /** Imports a bucket's backup object in one transaction, into a bucket that holds no rows here (or `force`). */
  restoreBucket(input: RestoreInput): Promise<ShardResult<RestoreOutcome>>;
  /** Point-in-time recovery of this whole shard: schedules the restore for its next start (`restart` applies it). */
  scheduleRollback(target: RollbackTarget): Promise<ShardResult<RollbackScheduled>>;
  /** Ends this object's current run (ctx.abort): the next call starts it again, from a scheduled restore if any. */
  restart(reason: string): void;
  /** Requests served per minute and per bucket over the last minutes. */
  loadReport(minutes?: number): ShardResult<LoadReport>;
  stats(): ShardResult<ShardStats>;
  /**
   * Runs one of TRACED_METHODS for a request: the request id goes into the audit events
   * and log lines the operation causes. One RPC call, like calling the method itself.
   */
  traced(requestId: string, method: TracedMethod, args: unknown[]): ShardResult<object>;
  flushOutbox(): Promise<{ sent: number }>;
  sweep(): SweepResult;
}

/** Counts for operators: users held, buckets owned, map version applied, audit events waiting. */
export interface ShardStats {
  shard: string | null;
  mapVersion: number;
  ownedBuckets: number;
  users: number;
  /** Audit events waiting to leave for the queue, and the time of the oldest (ms) — how far behind it is. */
  outbox: number;
  outboxOldestAt: number | null;
  /** Events dropped (oldest first) because the outbox hit OUTBOX_MAX_EVENTS during an outage. */
  outboxDropped: number;
}

export interface NewUser {
  id: string;
  bucket: number;
  email: string;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  /** Password verifier computed by the caller (the router hashes; the shard never sees the password). */
  passwordVerifier: string | null;
}

export interface LoginChallenge {
  verifier: string | null;
  disabled: boolean;
  /** > 0 while the account is slowed down after repeated failures. */
  retryAfterS: number;
}

/** What an authorization request asks of a live session. */
export interface AuthorizationAsk {
  clientId: string;
  /** Seconds since authentication after which the user must sign in again (OIDC Core §3.1.2.1). */
  maxAge: number | null;
  /** prompt=consent: ask even if the scopes were allowed before. */
  forceConsent: boolean;
  code: CodeRequest;
  /** The scope consent must cover when it differs from the code's: the code's plus those of claims asked for by name (OIDC Core §5.5). */
  consentScope?: string;
  /** Hybrid flow with `token` (OIDC Core §3.3): the grant the front-channel access token names, stored with the code. */
  accessGrant?: { grantId: string; ttlS: number } | null;
  /** Two-factor sign-in: the session must carry the MFA acr (client or provider policy, acr_values, an essential acr claim). */
  requireMfa?: boolean;
}

export type Authorized =
  | { outcome: "issued"; userId: string; sid: string; authTime: number; acr: string; amr: string[]; accessGrantId: string | null }
  | { outcome: "consent_required"; userId: string; sid: string; email: string; granted: string[] }
  | SecondFactorRequired;

export type LoginOutcome = ({ outcome: "rejected"; retryAfterS: number }) | Authorized;

export interface RedeemInput {
  bucket: number;
  codeHash: string;
  clientId: string;
  redirectUri: string | null;
  /** BASE64URL(SHA256(code_verifier)) computed by the router, null if no verifier was sent. */
  verifierChallenge: string | null;
  /** Id for the grant this redemption creates (chosen by the router, embedded in its tokens). */
  grantId: string;
  /** Hash of the refresh token the router minted; stored only if the grant is offline. */
  refreshTokenHash: string | null;
  /** Whether the client may use refresh tokens at all. */
  refreshAllowed: boolean;
  grantTtlS: number;
  offlineTtlS: number;
  /** The request's DPoP proof (RFC 9449), if it carried one. */
  dpop?: DpopAtToken;
}

export interface Redeemed {
  user: UserView;
  scope: string;
  sid: string;
  authTime: number;
  nonce: string | null;
  acr: string;
  amr: string[];
  refreshIssued: boolean;
  /** The claims parameter the code was issued with (stored form), null if none. */
  claims: string | null;
}

export interface RotateInput {
  bucket: number;
  /** The family (grant id) the presented token names: `r.<bucket>.<family>.<secret>`. */
  grantId: string;
  tokenHash: string;
  clientId: string;
  /** Narrower scope asked for (RFC 6749 §6), or null for the grant's scope. */
  scope: string | null;
  successorHash: string;
  /**
   * The successor encrypted under a key derived from the presented token, kept for
   * grace-window retries; null when the client's grace window is 0 (a retry is reuse).
   */
  successorEnc: string | null;
  /** The client's own grace window, overriding the shard's default; null = default. */
  graceS: number | null;
  /** The request's DPoP proof (RFC 9449), if it carried one; a bound family needs one with its key. */
  dpop?: DpopAtToken;
}

export interface Rotated {
  outcome: "rotated" | "replayed";
  /** For "replayed": the successor issued by the first rotation, still encrypted. */
  successorEnc: string | null;
  grantId: string;
  user: UserView;
  scope: string;
  sid: string | null;
  authTime: number;
  acr: string;
  amr: string[];
  /** The claims parameter of the authorization behind the family (stored form), null if none. */
  claims: string | null;
}

/**
 * Ending sessions: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)
 * and the operator's "sign this user out". The session and every grant bound to
 * it end in the caller's one transaction, so a refresh racing the logout either
 * ran before it (and its successor dies with the grant) or after it (and fails).
 */

export interface EndContext {
  /**
   * Clients whose offline_access families outlive the session (client setting
   * offline_survives_logout). The shard does not know client settings; the router
   * passes the ids of every client that opted in.
   */
  survivingClients: readonly string[];
  /** Who ended it, for the audit trail; user_disabled: the operator disabled the account. */
  initiator: "rp" | "user" | "operator" | "user_disabled";
  /** The client that asked (id_token_hint or client_id), if any. */
  clientId: string | null;
}

export type Ended =
  /** `clients`: every client that took part in the session (the router renders their front-channel logout); `samlParticipants`: every SAML SP, likewise (their rows are deleted). */
  | { outcome: "ended"; sid: string; userId: string; revokedGrants: number; keptGrants: number; clients: string[]; samlParticipants: SamlParticipant[] }
  /** Ended before (logout twice, or by the operator): nothing changes, so a retry is harmless. */
  | { outcome: "already_ended"; sid: string; userId: string }
  /** The cookie names no session (swept, or never ours): nothing to end. */
  | { outcome: "no_session" }
  /** The session belongs to someone other than the id_token_hint's subject: the router asks the person. */
  | { outcome: "other_user" };

export interface SessionView {
  sid: string;
  state: "active" | "expired" | "ended";
  /** Epoch seconds, as in ID tokens. */
  auth_time: number;
  amr: string[];
  acr: string;
  /** Epoch milliseconds. */
  last_seen_at: number;
  idle_expires_at: number;
  expires_at: number;
  ended_at: number | null;
}

export interface ConsentView {
  client_id: string;
  scope: string;
  granted_at: number;
  updated_at: number;
}

export interface LoadReport {
  /** First minute of the window (epoch minutes); `perMinute[i]` is minute `since + i`. */
  since: number;
  perMinute: number[];
  /** [bucket, requests in the window], busiest first. */
  perBucket: Array<[number, number]>;
}

export interface SweepResult {
  deleted: Record<string, number>;
  /** A table still had a full batch to delete: run again soon. */
  more: boolean;
}

/** What the router read from a verified access token (RFC 9068) to find it in the shard. */
export interface AccessTokenRef {
  bucket: number;
  userId: string;
  grantId: string;
  jti: string;
}

export interface NewSession {
  /** SHA-256 of the cookie value `s.<bucket>.<secret>`. */
  idHash: string;
  /** Public session id for ID tokens (`sid`) and logout. */
  sid: string;
}

/** What the router validated at /authorize and binds to the code (RFC 6749 §4.1.2, RFC 7636 §4.4). */
export interface CodeRequest {
  /** SHA-256 of the code `c.<bucket>.<secret>`; the code itself is never stored. */
  codeHash: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  nonce: string | null;
  ttlS: number;
  /** DPoP (RFC 9449 §10): the key thumbprint that must redeem the code; null or absent = any (or none). */
  dpopJkt?: string | null;
  /** OIDC Core §5.5: the claims parameter in stored form (see oauth/claims-request.ts); null or absent when none. */
  claims?: string | null;
}


/** The synchronous domain operations the router calls on behalf of a request, which it calls through `traced`. */
export const TRACED_METHODS = [
  "loginChallenge", "completeLogin", "authorize", "grantConsent", "redeemCode", "startDevice", "findDevice",
  "decideDevice", "pollDevice", "deviceApprover", "writeDeviceGrant", "redeemDeviceGrant", "pushRequest",
  "takePushedRequest", "startCiba", "findCiba", "decideCiba", "pollCiba", "spendAssertion",
  "issueAssertionGrant", "rotateRefresh", "userinfo", "revokeAccess", "revokeRefresh", "introspectAccess",
  "introspectRefresh", "endSession", "endSessionBySid", "endAllSessions", "listSessions", "listConsents",
  "revokeConsent", "secondFactorChallenge", "completeSecondFactor", "accountOverview", "accountAction",
  "samlSubject", "federation", "passkey",
] as const satisfies ReadonlyArray<keyof UserShardApi>;
export type TracedMethod = (typeof TRACED_METHODS)[number];
