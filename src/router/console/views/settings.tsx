import type { AdminTokenRow } from "../../d1/admin-tokens";
import type { OperatorRow } from "../../d1/operators";
import { ActionButton, ConsolePage, PostForm, type ConsoleFrame, when } from "./frame";

export interface SettingsProps {
  frame: ConsoleFrame;
  config: [string, string][];
  operators: (OperatorRow & { email: string | null })[];
  tokens: AdminTokenRow[];
  newToken: { name: string; secret: string } | null;
}

export function SettingsPage(props: SettingsProps) {
  const { frame } = props;
  const target = "/admin/console/settings";
  const admin = frame.operator.role === "admin";
  return (
    <ConsolePage frame={frame} title="Settings">
      {props.newToken ? (
        <p class="notice" role="status">
          Operator token <strong>{props.newToken.name}</strong> (shown once, store it now): <code class="secret" id="token-secret">{props.newToken.secret}</code>
        </p>
      ) : null}
      <h2>Effective configuration</h2>
      <p class="muted">Read only: set through wrangler.jsonc vars and Worker secrets. Secrets are never shown.</p>
      <table id="config">
        <tbody>
          {props.config.map(([name, value]) => (
            <tr><th>{name}</th><td><code>{value}</code></td></tr>
          ))}
        </tbody>
      </table>
      <h2>Operators</h2>
      <table id="operators">
        <thead><tr><th>Email</th><th>Role</th><th>Granted</th><th>By</th><th></th></tr></thead>
        <tbody>
          {props.operators.map((o) => (
            <tr>
              <td>{o.email ?? o.user_id}</td><td>{o.role}</td><td>{when(o.granted_at)}</td><td>{o.granted_by}</td>
              <td><ActionButton frame={frame} target={target} action="revoke_operator" label="Revoke" fields={{ user_id: o.user_id }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin ? (
        <PostForm frame={frame} action={target} id="grant-operator">
          <input type="hidden" name="action" value="grant_operator" />
          <label for="grant-email">Grant a user (email)</label>
          <input type="text" id="grant-email" name="email" required />
          <select name="role" aria-label="role">
            <option value="viewer">viewer (read only)</option>
            <option value="admin">admin</option>
          </select>
          <button type="submit">Grant</button>
        </PostForm>
      ) : null}
      <h2>Operator API tokens</h2>
      <table id="tokens">
        <thead><tr><th>Name</th><th>Scope</th><th>Created</th><th>By</th><th>Last used</th><th>Revoked</th><th></th></tr></thead>
        <tbody>
          {props.tokens.map((t) => (
            <tr>
              <td>{t.name}</td><td>{t.scope}</td><td>{when(t.created_at)}</td><td>{t.created_by}</td><td>{when(t.last_used_at)}</td><td>{when(t.revoked_at)}</td>
              <td>{t.revoked_at === null ? <ActionButton frame={frame} target={target} action="revoke_token" label="Revoke" fields={{ token_id: t.id }} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin ? (
        <PostForm frame={frame} action={target} id="create-token">
          <input type="hidden" name="action" value="create_token" />
          <label for="token-name">New token name</label>
          <input type="text" id="token-name" name="name" required />
          <select name="scope" aria-label="scope">
            <option value="read">read</option>
            <option value="full">full</option>
          </select>
          <button type="submit">Create token</button>
        </PostForm>
      ) : null}
    </ConsolePage>
  );
}
