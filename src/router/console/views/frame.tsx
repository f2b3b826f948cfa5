import type { Child } from "hono/jsx";
import { Layout, type PageSecurity } from "../../views/layout";
import type { ConsoleOperator } from "../guard";

/** What every console page gets: the page's CSP nonce, the CSRF value, who is signed in. */
export interface ConsoleFrame {
  security: PageSecurity;
  csrf: string;
  operator: ConsoleOperator;
  notice?: string | null;
  error?: string | null;
  /** Seconds until the page reloads itself (a move in progress); no script needed. */
  refreshS?: number;
}

// The shared layout is sized for a sign-in form; the console needs tables.
const WIDE = `main{max-width:68rem;margin:1.5rem auto}nav a{margin-right:1rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dde1e8;vertical-align:top}textarea,input[type=text],input[type=search],select{box-sizing:border-box;padding:.4rem;border:1px solid #8a93a6;border-radius:.3rem;font:inherit}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.8rem}.notice{background:#e8f5e9;border:1px solid #9bc79f;padding:.6rem;border-radius:.4rem}
form.inline{display:inline}form.inline button{margin-top:.2rem;padding:.3rem .7rem;font-size:.85rem}code{word-break:break-all}.secret{font-size:1.05rem;background:#fff8e1;padding:.4rem}`;

const SECTIONS: [string, string][] = [
  ["/admin", "Dashboard"],
  ["/admin/console/users", "Users"],
  ["/admin/console/clients", "Clients"],
  ["/admin/console/keys", "Signing keys"],
  ["/admin/console/shards", "Shards"],
  ["/admin/console/audit", "Audit"],
  ["/admin/console/settings", "Settings"],
];

export function ConsolePage(props: { frame: ConsoleFrame; title: string; children: Child }) {
  const { frame } = props;
  return (
    <Layout title={`${props.title} · authshard console`} security={frame.security}>
      <style nonce={frame.security.nonce} dangerouslySetInnerHTML={{ __html: WIDE }} />
      {frame.refreshS ? <meta http-equiv="refresh" content={String(frame.refreshS)} /> : null}
      <nav>
        {SECTIONS.map(([href, label]) => (
          <a href={href}>{label}</a>
        ))}
      </nav>
      <p class="muted">
        Signed in as <strong id="operator">{frame.operator.email}</strong> ({frame.operator.role === "admin" ? "admin" : "viewer: read only"}).{" "}
        <PostForm frame={frame} action="/admin/console/sign-out" inline>
          <button type="submit" class="secondary">
            Sign out of the console
          </button>
        </PostForm>
      </p>
      <h1>{props.title}</h1>
      {frame.notice ? <p class="notice" role="status">{frame.notice}</p> : null}
      {frame.error ? <p class="error" role="alert">{frame.error}</p> : null}
      {props.children}
    </Layout>
  );
}

/** A form that changes something: it always carries the CSRF value. */
export function PostForm(props: { frame: ConsoleFrame; action: string; inline?: boolean; children: Child; id?: string }) {
  return (
    <form method="post" action={props.action} class={props.inline ? "inline" : undefined} id={props.id}>
      <input type="hidden" name="csrf" value={props.frame.csrf} />
      {props.children}
    </form>
  );
}

/** One submit button with a hidden `action` — the rows of the tables use it. */
export function ActionButton(props: { frame: ConsoleFrame; target: string; action: string; label: string; fields?: Record<string, string> }) {
  if (props.frame.operator.role !== "admin") return null;
  return (
    <PostForm frame={props.frame} action={props.target} inline>
      <input type="hidden" name="action" value={props.action} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit">{props.label}</button>
    </PostForm>
  );
}

export const when = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z" : "—");
