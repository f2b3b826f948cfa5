import type { AuthorizationAsk, Authorized, NewSession } from "../api.ts";

// Email codes, magic links and password resets (email.ts), in the user's bucket.

export type EmailPurpose = "signin" | "reset" | "signup";

export interface NewEmailChallenge {
  bucket: number;
  userId: string;
  purpose: EmailPurpose;
  /** SHA-256 of the handle the asking browser keeps in a cookie: the code works only with it. */
  handleHash: string;
  /** SHA-256 of handle and code together (./email.ts codeHashOf in the router). */
  codeHash: string;
  /** SHA-256 of the magic link's secret. */
  linkHash: string;
  /** The signed interaction a magic link continues (sign-in only). */
  interaction: string | null;
  ttlS: number;
  maxAttempts: number;
  /** Sign-up: the account created when the code is entered (userId is its new id; no such user yet). */
  pendingUser?: PendingUser;
}

export interface PendingUser {
  email: string;
  name: string | null;
  passwordVerifier: string;
}

/** Proof of the email: the code typed in the asking browser, or the link opened (in the asking browser). */
export interface EmailProof {
  bucket: number;
  purpose: EmailPurpose;
  handleHash: string;
  codeHash?: string;
  linkHash?: string;
}

export interface EmailSignInInput extends EmailProof {
  /** Sign-up: the id and email the router reserved in D1; they must be the pending account's. */
  signup?: { userId: string; email: string };
  session: NewSession;
  /** The authorization to continue in the same transaction; null (a magic link) → only the session. */
  ask: AuthorizationAsk | null;
}

export interface EmailSignedIn {
  userId: string;
  sid: string;
  /** The interaction stored with the challenge (for a magic link to continue). */
  interaction: string | null;
  authorized: Authorized | null;
}

export interface PasswordResetInput extends EmailProof {
  verifier: string;
}
