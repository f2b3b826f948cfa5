/**
 * Two-factor sign-in (TOTP, RFC 6238; recovery codes) in the user's shard. The router
 * opens the sealed secret and finds the time step a code belongs to (AES-GCM and HMAC
 * are async WebCrypto); the shard's one transaction then accepts the step only if it is
 * later than the last one used, so each code is single use even under racing requests.
 */
import type { ConsentView, EndContext, NewSession, PasskeyView, SessionView } from "../api.ts";

/** What the user typed, as the router checked it: the TOTP step it matched (null: none), or a recovery code's hash. */
export type SecondFactorProof = { kind: "totp"; step: number | null } | { kind: "recovery"; codeHash: string };

/** The answer to /authorize or a password sign-in when the second factor is still due. */
export interface SecondFactorRequired {
  outcome: "second_factor";
  userId: string;
  /** The live session to step up; null when the password was just checked (no session yet). */
  sid: string | null;
  /** Whether the user has TOTP switched on; if not, enrolment comes first. */
  enrolled: boolean;
}

/** The second step of a sign-in: open a session (after the password), or raise a live one (step-up). */
export type SecondFactorTarget = { kind: "login"; session: NewSession } | { kind: "step_up"; sessionHash: string; sid: string };

/** For the router to check a code: the sealed secret (confirmed or pending) and whether the account is slowed down. */
export interface SecondFactorChallenge {
  sealedSecret: string | null;
  retryAfterS: number;
}

export interface TotpStatus {
  enrolled: boolean;
  /** An enrolment started and waiting for its confirmation code. */
  pending: boolean;
  recoveryCodesLeft: number;
}

/** GET /account: who is signed in, their sessions, consents and second factor — one read. */
export interface AccountOverview {
  userId: string;
  email: string;
  sid: string;
  sessions: SessionView[];
  consents: ConsentView[];
  /** Passkeys (api/passkeys.ts), oldest first. */
  passkeys: PasskeyView[];
  totp: TotpStatus & { sealedSecret: string | null; retryAfterS: number };
}

/** The account page's forms, each applied to the user the session belongs to. */
export type AccountAction =
  | { kind: "end_other_sessions"; context: EndContext }
  | { kind: "withdraw_consent"; clientId: string }
  | { kind: "start_totp"; sealedSecret: string }
  | { kind: "confirm_totp"; step: number | null; recoveryCodeHashes: string[] }
  | { kind: "disable_totp"; proof: SecondFactorProof }
  | { kind: "regenerate_recovery_codes"; proof: SecondFactorProof; recoveryCodeHashes: string[] };

export type AccountActionResult = { outcome: "done"; ended?: number; revoked?: boolean } | { outcome: "rejected"; retryAfterS: number };
