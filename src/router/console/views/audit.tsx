import type { AuditRecord } from "../../../audit/message";
import { ConsolePage, type ConsoleFrame } from "./frame";
import { AuditTable } from "./users";

export interface AuditQuery {
  user: string;
  type: string;
  client: string;
  since: string;
  until: string;
}

export function AuditPage(props: { frame: ConsoleFrame; query: AuditQuery; events: AuditRecord[] | null; note: string }) {
  const q = props.query;
  return (
    <ConsolePage frame={props.frame} title="Audit">
      <form method="get" action="/admin/console/audit">
        <label for="user">User (email or user id; empty: the client's events)</label>
        <input type="search" id="user" name="user" value={q.user} />
        <label for="type">Event type (exact, or a prefix ending in a dot: admin.)</label>
        <input type="text" id="type" name="type" value={q.type} />
        <label for="client">Client id</label>
        <input type="text" id="client" name="client" value={q.client} />
        <label for="since">Since (ISO 8601)</label>
        <input type="text" id="since" name="since" value={q.since} />
        <label for="until">Until (ISO 8601)</label>
        <input type="text" id="until" name="until" value={q.until} />
        <button type="submit">Search</button>
      </form>
      <p class="muted">{props.note}</p>
      {props.events ? <AuditTable events={props.events} /> : null}
    </ConsolePage>
  );
}
