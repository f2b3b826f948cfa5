// How `npm run clients` prints clients and initial access tokens.
import type { AdminResponse } from "./admin-client.ts";

export interface Client {
  client_id: string;
  client_name: string;
  client_type: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg?: string;
  backchannel_logout_uri?: string | null;
  backchannel_logout_session_required?: boolean;
  frontchannel_logout_uri?: string | null;
  frontchannel_logout_session_required?: boolean;
  dpop_bound_access_tokens?: boolean;
  /** Two-factor sign-in: every sign-in to this client needs the second factor. */
  mfa_required?: boolean;
  require_pushed_authorization_requests?: boolean;
  authorization_signed_response_alg?: string;
  response_types?: string[];
  registered_dynamically?: boolean;
  subject_type?: string;
  security_profile?: string | null;
  backchannel_token_delivery_mode?: string | null;
  backchannel_client_notification_endpoint?: string | null;
  initial_access_token_id?: string | null;
  created_at?: number;
  id_token_encrypted_response_alg?: string | null;
  id_token_encrypted_response_enc?: string | null;
  userinfo_signed_response_alg?: string | null;
  userinfo_encrypted_response_alg?: string | null;
  userinfo_encrypted_response_enc?: string | null;
}

export interface InitialToken {
  id: string;
  label: string | null;
  grant_types: string[];
  scope: string;
  token_endpoint_auth_methods: string[] | null;
  max_uses: number;
  used: number;
  expires_at: number;
  state: string;
}

/** How a client came to be: by an operator, or registered by itself (RFC 7591) openly or with an initial access token. */
export function origin(c: Client): string {
  if (!c.registered_dynamically) return "operator";
  return c.initial_access_token_id ? `dynamic (token ${c.initial_access_token_id})` : "dynamic (open)";
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd()).join("\n");
}

export function formatClientTable(clients: Client[]): string {
  return table(
    ["ID", "TYPE", "AUTH METHOD", "REGISTERED BY", "NAME"],
    clients.map((c) => [c.client_id, c.client_type, c.token_endpoint_auth_method, origin(c), c.client_name]),
  );
}

export function formatClient(c: Client): string {
  const list = (values: string[] | undefined) => (values && values.length > 0 ? values.join(`\n${" ".repeat(15)}`) : "-");
  const logout = (uri: string | null | undefined, sid: boolean | undefined) => (uri ? `${uri}${sid ? " (with sid)" : ""}` : "-");
  const rows: Array<[string, string]> = [
    ["name", c.client_name],
    ["type", `${c.client_type}, token endpoint auth ${c.token_endpoint_auth_method}`],
    ["redirect", list(c.redirect_uris)],
    ["logout", list(c.post_logout_redirect_uris)],
    ["back-channel", logout(c.backchannel_logout_uri, c.backchannel_logout_session_required)],
    ["front-channel", logout(c.frontchannel_logout_uri, c.frontchannel_logout_session_required)],
    ["grants", c.grant_types.join(" ")],
    ["scope", c.scope],
    ["id token", c.id_token_signed_response_alg ?? "-"],
    // DPoP (RFC 9449 §5.2).
    ["dpop", c.dpop_bound_access_tokens ? "proof required at /token" : "optional"],
    ["subject", c.subject_type ?? "public"],
    ["profile", c.security_profile ?? "-"],
    ["responses", `${(c.response_types ?? ["code"]).join(", ")}${c.require_pushed_authorization_requests ? "; pushed (PAR) only" : ""}; JARM ${c.authorization_signed_response_alg ?? "-"}`],
    ...protectionRows(c),
    ["registered", origin(c)],
  ];
  if (c.backchannel_token_delivery_mode) rows.push(["ciba", `${c.backchannel_token_delivery_mode}${c.backchannel_client_notification_endpoint ? ` → ${c.backchannel_client_notification_endpoint}` : ""}`]);
  // Two-factor sign-in
  if (c.mfa_required) rows.push(["two-factor", "required at every sign-in (TOTP)"]);
  if (c.created_at !== undefined) rows.push(["created", new Date(c.created_at).toISOString()]);
  return `client ${c.client_id}\n${rows.map(([k, val]) => `  ${`${k}:`.padEnd(15)}${val}`).join("\n")}`;
}

/** Encrypted ID tokens and signed/encrypted UserInfo, when the client registered them. */
function protectionRows(c: Client): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (c.id_token_encrypted_response_alg) rows.push(["id token jwe", `${c.id_token_encrypted_response_alg} ${c.id_token_encrypted_response_enc ?? ""}`.trim()]);
  const userinfo = [c.userinfo_signed_response_alg ? `signed ${c.userinfo_signed_response_alg}` : "", c.userinfo_encrypted_response_alg ? `encrypted ${c.userinfo_encrypted_response_alg} ${c.userinfo_encrypted_response_enc ?? ""}`.trim() : ""];
  if (userinfo.some(Boolean)) rows.push(["userinfo", userinfo.filter(Boolean).join(", ")]);
  return rows;
}

export function secretNote(res: AdminResponse): string {
  const secret = (res.body as { client_secret?: unknown } | null)?.client_secret;
  return typeof secret === "string" ? `\n\nclient_secret: ${secret}\n(shown only now: store it; the provider keeps only its hash)` : "";
}

export function formatTokenTable(tokens: InitialToken[]): string {
  if (tokens.length === 0) return "no initial access tokens";
  return table(
    ["ID", "STATE", "USES", "EXPIRES", "GRANT TYPES", "SCOPE", "AUTH METHODS", "LABEL"],
    tokens.map((t) => [
      t.id,
      t.state,
      `${t.used}/${t.max_uses}`,
      new Date(t.expires_at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      t.grant_types.join(","),
      t.scope,
      t.token_endpoint_auth_methods?.join(",") ?? "any",
      t.label ?? "",
    ]),
  );
}

export function formatMinted(token: string, t: InitialToken): string {
  return (
    `initial access token ${t.id}: ${t.max_uses} registration${t.max_uses === 1 ? "" : "s"} until ${new Date(t.expires_at).toISOString()}\n` +
    `  grant types:  ${t.grant_types.join(" ")}\n  scope:        ${t.scope}\n  auth methods: ${t.token_endpoint_auth_methods?.join(" ") ?? "any"}\n\n` +
    `${token}\n(shown only now: hand it to the registrant, who sends it as Authorization: Bearer to POST /register)`
  );
}
