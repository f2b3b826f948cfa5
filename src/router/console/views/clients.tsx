import type { ClientView } from "../../d1/client-view";
import { ActionButton, ConsolePage, PostForm, type ConsoleFrame, when } from "./frame";

export interface NewClientFields {
  client_id: string;
  client_name: string;
  client_type: string;
  redirect_uris: string;
  scope: string;
  grant_types: string[];
}

export const EMPTY_CLIENT: NewClientFields = { client_id: "", client_name: "", client_type: "confidential", redirect_uris: "", scope: "openid email profile", grant_types: ["authorization_code", "refresh_token"] };
const GRANTS = ["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"];

/** A shown-once secret: right after creation or rotation. */
export function SecretBox(props: { clientId: string; secret: string }) {
  return (
    <p class="notice" role="status">
      Client secret of <strong>{props.clientId}</strong> (shown once, store it now): <code class="secret" id="client-secret">{props.secret}</code>
    </p>
  );
}

export function ClientsPage(props: { frame: ConsoleFrame; clients: ClientView[]; fields: NewClientFields; secret: { clientId: string; secret: string } | null }) {
  const { frame, fields } = props;
  return (
    <ConsolePage frame={frame} title="Clients">
      {props.secret ? <SecretBox {...props.secret} /> : null}
      <table id="clients">
        <thead><tr><th>client_id</th><th>Name</th><th>Type</th><th>Grants</th><th>Created</th></tr></thead>
        <tbody>
          {props.clients.map((client) => (
            <tr>
              <td><a href={`/admin/console/clients/${encodeURIComponent(client.client_id)}`}>{client.client_id}</a></td>
              <td>{client.client_name}</td><td>{client.client_type}</td><td>{client.grant_types.join(", ")}</td><td>{when(client.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {frame.operator.role === "admin" ? (
        <>
          <h2>Create a client</h2>
          <PostForm frame={frame} action="/admin/console/clients" id="create-client">
            <label for="client_id">client_id</label>
            <input type="text" id="client_id" name="client_id" value={fields.client_id} required />
            <label for="client_name">Name</label>
            <input type="text" id="client_name" name="client_name" value={fields.client_name} required />
            <label for="client_type">Type</label>
            <select id="client_type" name="client_type">
              <option value="confidential" selected={fields.client_type === "confidential"}>confidential (a secret is generated)</option>
              <option value="public" selected={fields.client_type === "public"}>public (PKCE, no secret)</option>
            </select>
            <label for="redirect_uris">Redirect URIs (one per line)</label>
            <textarea id="redirect_uris" name="redirect_uris" rows={3}>{fields.redirect_uris}</textarea>
            <label for="scope">Scope</label>
            <input type="text" id="scope" name="scope" value={fields.scope} />
            <label for="grant_types">Grant types (space-separated: {GRANTS.join(", ")})</label>
            <input type="text" id="grant_types" name="grant_types" value={fields.grant_types.join(" ")} />
            <button type="submit">Create</button>
          </PostForm>
        </>
      ) : null}
    </ConsolePage>
  );
}

/** GET /admin/clients/:id/usage: the client's events in the audit window, counted by type. */
export interface ClientUsage {
  window_start: number;
  events: Record<string, number>;
  /** AUDIT_WINDOW_SKIP: types kept out of the window (archive only), so never counted here. */
  not_counted: string[];
}

function UsageTable(props: { clientId: string; usage: ClientUsage }) {
  const counts = Object.entries(props.usage.events);
  return (
    <>
      <p class="muted">
        Events since {when(props.usage.window_start)} (the audit window)
        {props.usage.not_counted.length > 0 ? `; not counted (archive only, AUDIT_WINDOW_SKIP): ${props.usage.not_counted.join(", ")}` : ""}.{" "}
        <a href={`/admin/console/audit?client=${encodeURIComponent(props.clientId)}`}>Search the audit trail for this client</a>
      </p>
      {counts.length === 0 ? <p class="muted">No activity in the window.</p> : (
        <table id="usage">
          <thead><tr><th>Event</th><th>Count</th></tr></thead>
          <tbody>{counts.map(([type, n]) => <tr><td>{type}</td><td>{n}</td></tr>)}</tbody>
        </table>
      )}
    </>
  );
}

export function ClientPage(props: { frame: ConsoleFrame; client: ClientView; usage: ClientUsage; settings: string; secret: string | null }) {
  const { frame, client } = props;
  const target = `/admin/console/clients/${encodeURIComponent(client.client_id)}`;
  return (
    <ConsolePage frame={frame} title={`${client.client_name} (${client.client_id})`}>
      {props.secret ? <SecretBox clientId={client.client_id} secret={props.secret} /> : null}
      <p>
        {client.client_type} client, created {when(client.created_at)}, changed {when(client.updated_at)}
        {client.registered_dynamically ? ", registered dynamically (RFC 7591)" : ""}.
      </p>
      {client.client_type === "confidential" && client.token_endpoint_auth_method !== "private_key_jwt" ? (
        <ActionButton frame={frame} target={target} action="rotate_secret" label="Rotate the secret" />
      ) : null}{" "}
      <ActionButton frame={frame} target={target} action="delete" label="Delete the client" />
      <h2>Usage</h2>
      <UsageTable clientId={client.client_id} usage={props.usage} />
      <h2>Settings</h2>
      <p class="muted">The registration as the operator API takes it (PUT /admin/clients/{client.client_id}); saving replaces it, after the API's validation.</p>
      <PostForm frame={frame} action={target} id="edit-client">
        <input type="hidden" name="action" value="save" />
        <textarea name="settings" rows={24} readonly={frame.operator.role !== "admin"}>{props.settings}</textarea>
        {frame.operator.role === "admin" ? <button type="submit">Save</button> : null}
      </PostForm>
    </ConsolePage>
  );
}
