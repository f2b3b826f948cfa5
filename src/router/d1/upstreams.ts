import { noteD1 } from "../observability/trace";
import type { ClaimMapping } from "../../federation/presets";
import { inD1 } from "./unavailable";

/**
 * Federation's two D1 tables (schema/d1/tables.ts): the upstream providers the operator
 * configured, and the (provider, upstream subject) → user id index, read once per upstream
 * sign-in and written once per link.
 */
const PROVIDERS = "the upstream provider registry";
const IDENTITIES = "the federated identity index";

export interface UpstreamRow {
  id: string;
  preset: string;
  displayName: string;
  kind: "oidc" | "oauth2";
  issuer: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | null;
  emailsEndpoint: string | null;
  jwksUri: string | null;
  clientId: string;
  sealedSecret: string | null;
  /** Apple: Team ID, Key ID and the sealed .p8 key the client secret JWT is minted with. */
  appleTeamId: string | null;
  appleKeyId: string | null;
  appleSealedKey: string | null;
  scope: string;
  claimMapping: ClaimMapping;
  linkPolicy: "never" | "verified_email";
  showOnLogin: boolean;
  storeTokens: boolean;
  trustAmr: boolean;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS =
  "id, preset, display_name, kind, issuer, authorization_endpoint, token_endpoint, userinfo_endpoint, emails_endpoint, jwks_uri, client_id, sealed_secret, apple_team_id, apple_key_id, apple_sealed_key, scope, claim_mapping, link_policy, show_on_login, store_tokens, trust_amr, created_at, updated_at";

type Stored = Record<string, string | number | null>;

function rowOf(s: Stored): UpstreamRow {
  return {
    id: s.id as string, preset: s.preset as string, displayName: s.display_name as string, kind: s.kind as UpstreamRow["kind"],
    issuer: s.issuer as string | null, authorizationEndpoint: s.authorization_endpoint as string, tokenEndpoint: s.token_endpoint as string,
    userinfoEndpoint: s.userinfo_endpoint as string | null, emailsEndpoint: s.emails_endpoint as string | null, jwksUri: s.jwks_uri as string | null, clientId: s.client_id as string,
    sealedSecret: s.sealed_secret as string | null, appleTeamId: s.apple_team_id as string | null, appleKeyId: s.apple_key_id as string | null,
    appleSealedKey: s.apple_sealed_key as string | null, scope: s.scope as string, claimMapping: JSON.parse(s.claim_mapping as string) as ClaimMapping,
    linkPolicy: s.link_policy as UpstreamRow["linkPolicy"], showOnLogin: s.show_on_login === 1, storeTokens: s.store_tokens === 1, trustAmr: s.trust_amr === 1,
    createdAt: s.created_at as number, updatedAt: s.updated_at as number,
  };
}

export async function getUpstreamRow(d1: D1Database, id: string): Promise<UpstreamRow | null> {
  noteD1();
  const stored = await inD1(PROVIDERS, () => d1.prepare(`SELECT ${COLUMNS} FROM upstream_providers WHERE id = ?`).bind(id).first<Stored>());
  return stored ? rowOf(stored) : null;
}

export async function listUpstreamRows(d1: D1Database): Promise<UpstreamRow[]> {
  noteD1();
  const { results } = await inD1(PROVIDERS, () => d1.prepare(`SELECT ${COLUMNS} FROM upstream_providers ORDER BY id`).all<Stored>());
  return results.map(rowOf);
}

/** Creates or replaces a provider (created_at kept on replace); the stored row, and whether it is new. */
export async function putUpstreamRow(d1: D1Database, r: UpstreamRow): Promise<{ row: UpstreamRow; created: boolean }> {
  noteD1();
  const updates = COLUMNS.split(", ").filter((c) => c !== "id" && c !== "created_at").map((c) => `${c} = excluded.${c}`).join(", ");
  const stored = await inD1(PROVIDERS, () =>
    d1
      .prepare(`INSERT INTO upstream_providers (${COLUMNS}) VALUES (${COLUMNS.split(", ").map(() => "?").join(", ")}) ON CONFLICT (id) DO UPDATE SET ${updates} RETURNING ${COLUMNS}`)
      .bind(
        r.id, r.preset, r.displayName, r.kind, r.issuer, r.authorizationEndpoint, r.tokenEndpoint, r.userinfoEndpoint, r.emailsEndpoint, r.jwksUri, r.clientId, r.sealedSecret,
        r.appleTeamId, r.appleKeyId, r.appleSealedKey,
        r.scope, JSON.stringify(r.claimMapping), r.linkPolicy, r.showOnLogin ? 1 : 0, r.storeTokens ? 1 : 0, r.trustAmr ? 1 : 0, r.createdAt, r.updatedAt,
      )
      .first<Stored>(),
  );
  const saved = rowOf(stored!);
  return { row: saved, created: saved.createdAt === r.createdAt };
}

export async function deleteUpstreamRow(d1: D1Database, id: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(PROVIDERS, () => d1.prepare("DELETE FROM upstream_providers WHERE id = ? RETURNING id").bind(id).all());
  return results.length === 1;
}

/** The user an upstream identity is linked to, or null. */
export async function linkedUserId(d1: D1Database, provider: string, subject: string): Promise<string | null> {
  noteD1();
  const found = await inD1(IDENTITIES, () => d1.prepare("SELECT user_id FROM federated_identities WHERE provider = ? AND subject = ?").bind(provider, subject).first<string>("user_id"));
  return found ?? null;
}

/**
 * Links the identity to `userId` unless it is linked already; answers the user it is linked
 * to now. The primary key decides between concurrent first sign-ins: one insert wins, every
 * other reads the winner's user.
 */
export async function claimIdentity(d1: D1Database, provider: string, subject: string, userId: string): Promise<string> {
  noteD1();
  const [, read] = await inD1(IDENTITIES, () =>
    d1.batch([
      d1.prepare("INSERT INTO federated_identities (provider, subject, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING").bind(provider, subject, userId, Date.now()),
      d1.prepare("SELECT user_id FROM federated_identities WHERE provider = ? AND subject = ?").bind(provider, subject),
    ]),
  );
  return (read!.results[0] as { user_id: string }).user_id;
}

/** Compensation and unlinking: drops the index entry, but only the one pointing at this user. */
export async function releaseIdentity(d1: D1Database, provider: string, subject: string, userId: string): Promise<void> {
  noteD1();
  await inD1(IDENTITIES, () => d1.prepare("DELETE FROM federated_identities WHERE provider = ? AND subject = ? AND user_id = ?").bind(provider, subject, userId).run());
}
