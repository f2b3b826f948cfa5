import type { LinkedIdentityView } from "../../actors/user-shard/api";
import { Layout, textOf, type PageSecurity } from "./layout";

/** Federation: the login page's provider buttons and the account's linked identities page. */

/** Buttons inside the login form: each posts the form's interaction to /federation-start with its provider. */
export function UpstreamButtons(props: { security: PageSecurity; upstreams: readonly { id: string; name: string }[] }) {
  if (props.upstreams.length === 0) return null;
  const t = textOf(props.security);
  return (
    <div id="upstreams">
      {props.upstreams.map((u) => (
        <button type="submit" class="secondary" formaction="federation-start" formnovalidate name="provider" value={u.id}>
          {t("federation.sign_in_with", { name: u.name })}
        </button>
      ))}
    </div>
  );
}

export interface LinkedPageProps {
  security: PageSecurity;
  csrf: string;
  links: LinkedIdentityView[];
  upstreams: readonly { id: string; name: string }[];
  notice: string | null;
  error: string | null;
}

export function LinkedIdentitiesPage(props: LinkedPageProps) {
  const t = textOf(props.security);
  const name = (id: string) => props.upstreams.find((u) => u.id === id)?.name ?? id;
  return (
    <Layout title={t("federation.title")} security={props.security}>
      <h1>{t("federation.title")}</h1>
      {props.notice ? <p id="linked-notice">{props.notice}</p> : null}
      {props.error ? (
        <p class="error" role="alert" id="linked-error">
          {props.error}
        </p>
      ) : null}
      <h2>{t("federation.linked")}</h2>
      {props.links.length === 0 ? <p class="muted">{t("account.none")}</p> : null}
      <ul id="linked">
        {props.links.map((l) => (
          <li>
            <form method="post" action="/account/linked">
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="action" value="unlink" />
              <input type="hidden" name="provider" value={l.provider} />
              <input type="hidden" name="subject" value={l.subject} />
              {name(l.provider)} {l.email ? `(${l.email})` : ""} {l.tokens_kept ? t("federation.tokens_kept") : ""} <button type="submit" class="secondary">{t("federation.unlink", { name: name(l.provider) })}</button>
            </form>
          </li>
        ))}
      </ul>
      <h2>{t("federation.link_another")}</h2>
      <form method="post" action="/account/linked">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="action" value="link" />
        {props.upstreams.map((u) => (
          <button type="submit" class="secondary" name="provider" value={u.id}>
            {t("federation.link", { name: u.name })}
          </button>
        ))}
      </form>
      <p>
        <a href="/account">{t("federation.back")}</a>
      </p>
    </Layout>
  );
}
