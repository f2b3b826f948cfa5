import type { StatusResponse } from "../../endpoints/admin/shard-responses";
import { ConsolePage, type ConsoleFrame } from "./frame";

export function DashboardPage(props: { frame: ConsoleFrame; status: StatusResponse; clients: number; activeKeys: string[] }) {
  const users = props.status.shards.reduce((sum, s) => sum + (s.users ?? 0), 0);
  const lastMinute = props.status.shards.reduce((sum, s) => sum + (s.requests?.last_1m ?? 0), 0);
  return (
    <ConsolePage frame={props.frame} title="authshard console">
      <table>
        <tbody>
          <tr><th>Users</th><td>{users}</td></tr>
          <tr><th>Clients</th><td>{props.clients}</td></tr>
          <tr><th>Shards</th><td>{props.status.shards.length} (map version {props.status.version})</td></tr>
          <tr><th>Requests to the shards, last minute</th><td>{lastMinute}</td></tr>
          <tr><th>Moves in flight</th><td>{props.status.moves.in_flight.length}</td></tr>
          <tr><th>Active signing keys</th><td>{props.activeKeys.join(", ") || "none yet"}</td></tr>
        </tbody>
      </table>
    </ConsolePage>
  );
}
