import type { KeyInfo } from "../../../actors/key-manager/api";
import { ActionButton, ConsolePage, type ConsoleFrame, when } from "./frame";

export function KeysPage(props: { frame: ConsoleFrame; keys: KeyInfo[]; rotatesAt: number | null }) {
  return (
    <ConsolePage frame={props.frame} title="Signing keys">
      <p>
        Next scheduled rotation: {when(props.rotatesAt)}. Rotating now makes the next key active and retires the active one; a retired
        key stays published until every token it signed has expired, then it is dropped.
      </p>
      <ActionButton frame={props.frame} target="/admin/console/keys" action="rotate" label="Rotate now" />
      <table id="keys">
        <thead><tr><th>kid</th><th>alg</th><th>State</th><th>Created</th><th>Active since</th><th>Retired</th><th>Published until</th></tr></thead>
        <tbody>
          {props.keys.map((k) => (
            <tr data-state={k.state}>
              <td><code>{k.kid}</code></td><td>{k.alg}</td><td>{k.state}</td><td>{when(k.created_at)}</td><td>{when(k.activated_at)}</td><td>{when(k.retired_at)}</td><td>{when(k.retire_until)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConsolePage>
  );
}
