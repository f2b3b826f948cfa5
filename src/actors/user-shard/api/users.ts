/** The user shard's contract: a user as callers see it. */
import type { UserAccess } from "../../../oauth/access-policy.ts";
/** A user as the router sees it. Never includes credentials. */
export interface UserView {
  id: string;
  bucket: number;
  email: string;
  email_verified: boolean;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  disabled: boolean;
  created_at: number;
  updated_at: number;
  /** Roles, groups and attributes (user_access), on the shard reads that issue tokens; absent elsewhere. */
  access?: UserAccess | null;
}
