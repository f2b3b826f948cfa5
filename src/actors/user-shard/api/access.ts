import type { UserAccess } from "../../../oauth/access-policy.ts";
import type { NewUser } from "../api.ts";
import type { UserView } from "./users.ts";

/** A user with roles, groups, attributes and SCIM data (user_access); version is the SCIM ETag. */
export interface AccessRecord {
  user: UserView;
  access: UserAccess;
  scim: Record<string, unknown> | null;
  version: number;
}

/**
 * One change of a user's access, profile or SCIM data, in one transaction. Fields left
 * out stay as they are. `create` makes the user first (SCIM POST: one shard write, so a
 * failed create leaves nothing); `ifVersion` refuses the change (`stale`) unless the
 * stored version is that one (SCIM If-Match, and PATCH's read-modify-write).
 */
export interface AccessWrite {
  bucket: number;
  userId: string;
  create?: NewUser;
  ifVersion?: number;
  profile?: { email?: string; name?: string | null; givenName?: string | null; familyName?: string | null };
  active?: boolean;
  roles?: string[];
  groups?: string[];
  addGroups?: string[];
  removeGroups?: string[];
  attributes?: Record<string, string>;
  scim?: Record<string, unknown> | null;
  /** Who asked, for the audit event: "operator" or the SCIM client's id. */
  actor: string;
}

export type AccessWritten = ({ stale: false } & AccessRecord) | { stale: true; version: number };
