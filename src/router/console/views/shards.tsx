import type { MoveView, StatusResponse } from "../../endpoints/admin/shard-responses";
import { ActionButton, ConsolePage, PostForm, type ConsoleFrame, when } from "./frame";

export function ShardsPage(props: { frame: ConsoleFrame; status: StatusResponse; recent: MoveView[] }) {
  const { frame, status } = props;
  const open = status.moves.in_flight;
  return (
    <ConsolePage frame={frame} title="Shards">
      <p>
        Map version <strong id="map-version">{status.version}</strong>, {status.bucket_count} buckets over {status.shards.length} shards.
        {status.lease ? ` Moves are leased to ${status.lease.holder} until ${when(status.lease.expires_at)}.` : ""}
      </p>
      <table id="shards">
        <thead><tr><th>Shard</th><th>Buckets</th><th>Fenced</th><th>Users</th><th>Requests 1 / 5 / 15 min</th><th>Outbox (behind)</th></tr></thead>
        <tbody>
          {status.shards.map((s) => (
            <tr>
              <td>{s.name}</td><td>{s.buckets}</td><td>{s.fenced_buckets}</td><td>{s.users ?? "no answer"}</td>
              <td>{s.requests ? `${s.requests.last_1m} / ${s.requests.last_5m} / ${s.requests.last_15m}` : "—"}</td>
              <td>{s.outbox === null ? "—" : `${s.outbox} (${s.outbox_behind_s ?? 0} s)`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Moves in flight</h2>
      {open.length === 0 ? <p class="muted" id="no-moves">No move in flight.</p> : <MovesTable moves={open} />}
      {open.length > 0 ? <ActionButton frame={frame} target="/admin/console/shards" action="continue" label="Continue the open moves" /> : null}
      {frame.operator.role === "admin" ? <MoveForms frame={frame} shards={status.shards.map((s) => s.name)} /> : null}
      <h2>Recent moves</h2>
      <MovesTable moves={props.recent} />
    </ConsolePage>
  );
}

function MovesTable(props: { moves: MoveView[] }) {
  if (props.moves.length === 0) return <p class="muted">None.</p>;
  return (
    <table class="moves">
      <thead><tr><th>Move</th><th>Bucket</th><th>From → to</th><th>Step</th><th>Rows copied</th><th>Fence</th><th>Updated</th><th>Error</th></tr></thead>
      <tbody>
        {props.moves.map((m) => (
          <tr data-bucket={String(m.bucket)}>
            <td>{m.id}</td><td>{m.bucket}</td><td>{m.from} → {m.to}</td><td class="step">{m.step}</td><td>{m.rows_copied}</td>
            <td>{m.fence_ms === null ? "—" : `${m.fence_ms} ms`}</td><td>{when(m.updated_at)}</td><td>{m.error ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MoveForms(props: { frame: ConsoleFrame; shards: string[] }) {
  return (
    <>
      <h2>Move buckets</h2>
      <PostForm frame={props.frame} action="/admin/console/shards" id="move-form">
        <input type="hidden" name="action" value="move" />
        <label for="buckets">Buckets (comma-separated, at most 16)</label>
        <input type="text" id="buckets" name="buckets" required />
        <label for="to">To shard</label>
        <select id="to" name="to">
          {props.shards.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <button type="submit">Start the move</button>
      </PostForm>
      <h2>Rebalance</h2>
      <PostForm frame={props.frame} action="/admin/console/shards">
        <input type="hidden" name="action" value="rebalance" />
        <label for="shard-count">Spread the buckets over this many shards</label>
        <input type="text" id="shard-count" name="shards" value={String(props.shards.length)} required />
        <label for="by">By</label>
        <select id="by" name="by">
          <option value="buckets">bucket count</option>
          <option value="load">recent load</option>
        </select>
        <button type="submit">Start the rebalance</button>
      </PostForm>
    </>
  );
}
