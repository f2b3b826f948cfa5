import type { ConsentView, DirectoryLinkView, LinkedIdentityView, SessionView, UserView } from "../../../actors/user-shard/api";
import type { AuditRecord } from "../../../audit/message";
import { ActionButton, ConsolePage, PostForm, type ConsoleFrame, when } from "./frame";

export function UserSearchPage(props: { frame: ConsoleFrame; email: string }) {
  return (
    <ConsolePage frame={props.frame} title="Users">
      <form method="get" action="/admin/console/users">
        <label for="email">Find a user by email</label>
        <input type="search" id="email" name="email" value={props.email} required />
        <button type="submit">Find</button>
      </form>
    </ConsolePage>
  );
}

export interface UserDetail {
  user: UserView & { shard: string };
  sessions: SessionView[];
  consents: ConsentView[];
  audit: AuditRecord[];
  role: string | null;
  passkeys: PasskeyRow[];
  access: { roles: readonly string[]; groups: readonly string[]; attributes: Readonly<Record<string, string>> };
  /** The LDAP / Active Directory link, or null for a user that does not come from the directory. */
  ldap: DirectoryLinkView | null;
  /** Linked upstream identities (federation), as GET /admin/users/:id/identities lists them. */
  identities: LinkedIdentityView[];
}

/** A passkey as GET /admin/users/:id/passkeys lists it (no key material). */
export interface PasskeyRow {
  credential_id: string;
  name: string;
  device_type: string;
  backed_up: boolean;
  created_at: number;
  last_used_at: number | null;
}

const listOr = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));

export function UserPage(props: { frame: ConsoleFrame; detail: UserDetail }) {
  const { frame, detail } = props;
  const { user } = detail;
  const target = `/admin/console/users/${user.id}`;
  return (
    <ConsolePage frame={frame} title={user.email}>
      <table>
        <tbody>
          <tr><th>User id</th><td><code>{user.id}</code></td></tr>
          <tr><th>Name</th><td>{user.name ?? "—"}</td></tr>
          <tr><th>Email verified</th><td>{user.email_verified ? "yes" : "no"}</td></tr>
          <tr><th>Status</th><td id="user-status">{user.disabled ? "disabled" : "active"}</td></tr>
          <tr><th>Bucket / shard</th><td>{user.bucket} / {user.shard}</td></tr>
          <tr><th>Created</th><td>{when(user.created_at)}</td></tr>
          <tr><th>Operator role</th><td>{detail.role ?? "none"}</td></tr>
        </tbody>
      </table>
      <p>
        {user.disabled
          ? <ActionButton frame={frame} target={target} action="enable" label="Enable user" />
          : <ActionButton frame={frame} target={target} action="disable" label="Disable user" />}{" "}
        <ActionButton frame={frame} target={target} action="end_sessions" label="End every session and refresh token" />
      </p>
      {frame.operator.role === "admin" ? (
        <PostForm frame={frame} action={target} id="set-password">
          <input type="hidden" name="action" value="set_password" />
          <label for="new-password">Reset credentials: a new password (every session and refresh token ends)</label>
          <input id="new-password" name="password" type="password" autocomplete="new-password" minlength={8} required />
          <button type="submit">Set password</button>
        </PostForm>
      ) : null}
      <h2>Sessions</h2>
      {detail.sessions.length === 0 ? <p class="muted">No sessions.</p> : (
        <table>
          <thead><tr><th>sid</th><th>State</th><th>Signed in</th><th>Method</th><th>Last seen</th><th></th></tr></thead>
          <tbody>
            {detail.sessions.map((s) => (
              <tr>
                <td><code>{s.sid}</code></td><td>{s.state}</td><td>{when(s.auth_time * 1000)}</td><td>{s.amr.join(", ")}</td><td>{when(s.last_seen_at)}</td>
                <td>{s.state === "active" ? <ActionButton frame={frame} target={target} action="end_session" label="End" fields={{ sid: s.sid }} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Consents</h2>
      {detail.consents.length === 0 ? <p class="muted">No consents.</p> : (
        <table>
          <thead><tr><th>Client</th><th>Scope</th><th>Granted</th><th></th></tr></thead>
          <tbody>
            {detail.consents.map((consent) => (
              <tr>
                <td>{consent.client_id}</td><td>{consent.scope}</td><td>{when(consent.granted_at)}</td>
                <td><ActionButton frame={frame} target={target} action="withdraw_consent" label="Withdraw" fields={{ client_id: consent.client_id }} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Passkeys</h2>
      {detail.passkeys.length === 0 ? <p class="muted">No passkeys.</p> : (
        <table id="passkeys">
          <thead><tr><th>Name</th><th>Type</th><th>Backed up</th><th>Added</th><th>Last used</th><th></th></tr></thead>
          <tbody>
            {detail.passkeys.map((p) => (
              <tr>
                <td>{p.name}</td><td>{p.device_type}</td><td>{p.backed_up ? "yes" : "no"}</td><td>{when(p.created_at)}</td><td>{when(p.last_used_at)}</td>
                <td><ActionButton frame={frame} target={target} action="remove_passkey" label="Remove" fields={{ credential_id: p.credential_id }} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Roles and groups</h2>
      <table id="access">
        <tbody>
          <tr><th>Roles</th><td>{listOr(detail.access.roles)}</td></tr>
          <tr><th>Groups</th><td>{listOr(detail.access.groups)}</td></tr>
          <tr><th>Attributes</th><td>{listOr(Object.entries(detail.access.attributes).map(([k, v]) => `${k}=${v}`))}</td></tr>
        </tbody>
      </table>
      <h2>Directory (LDAP)</h2>
      {detail.ldap === null ? <p class="muted">Not a directory user.</p> : (
        <table id="ldap">
          <tbody>
            <tr><th>DN</th><td><code>{detail.ldap.dn}</code></td></tr>
            <tr><th>State</th><td>{detail.ldap.state}</td></tr>
            <tr><th>Directory groups</th><td>{listOr(detail.ldap.groups)}</td></tr>
            <tr><th>Mapped roles</th><td>{listOr(detail.ldap.roles)}</td></tr>
            <tr><th>Last synced</th><td>{when(detail.ldap.synced_at)}</td></tr>
          </tbody>
        </table>
      )}
      <h2>Linked identities</h2>
      {detail.identities.length === 0 ? <p class="muted">No linked identities.</p> : (
        <table id="identities">
          <thead><tr><th>Provider</th><th>Subject</th><th>Email</th><th>Linked</th><th>Last sign-in</th><th>Tokens kept</th></tr></thead>
          <tbody>
            {detail.identities.map((i) => (
              <tr>
                <td>{i.provider}</td><td><code>{i.subject}</code></td><td>{i.email ?? "—"}</td><td>{when(i.linked_at)}</td><td>{when(i.last_sign_in_at)}</td><td>{i.tokens_kept ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Audit trail (recent window)</h2>
      <AuditTable events={detail.audit} />
    </ConsolePage>
  );
}

export function AuditTable(props: { events: AuditRecord[] }) {
  if (props.events.length === 0) return <p class="muted">No events.</p>;
  return (
    <table id="audit">
      <thead><tr><th>When</th><th>Type</th><th>User</th><th>Client</th><th>Details</th></tr></thead>
      <tbody>
        {props.events.map((e) => (
          <tr>
            <td>{when(e.at)}</td><td>{e.type}</td><td><code>{e.user_id ?? "—"}</code></td><td>{e.client_id ?? "—"}</td><td><code>{JSON.stringify(e.data)}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
