import { Layout, textOf, type PageSecurity } from "./layout";

/** RP-Initiated Logout 1.0 §6: a logout nobody can vouch for is confirmed by the person. */
export function LogoutConfirmPage(props: { security: PageSecurity; clientName: string | null; confirmation: string }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("logout.title")} security={props.security}>
      <h1>{t("logout.heading")}</h1>
      <p>
        {props.clientName ? t("logout.client_asks", { client: props.clientName }) : t("logout.about_to")} {t("logout.explain")}
      </p>
      <form method="post" action="logout">
        <input type="hidden" name="confirmation" value={props.confirmation} />
        <button type="submit" name="decision" value="logout">
          {t("logout.submit")}
        </button>
      </form>
      <p class="muted">{t("logout.not_you")}</p>
    </Layout>
  );
}

export function SignedOutPage(props: { security: PageSecurity; clientName: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("logout.done_title")} security={props.security}>
      <h1>{t("logout.done_heading")}</h1>
      <p role="status">{props.clientName ? t("logout.done_client", { client: props.clientName }) : t("logout.done_session")}</p>
      <p class="muted">{t("logout.close")}</p>
    </Layout>
  );
}

/** How long the page waits for the frames before moving on: a hung client must not keep the person here. */
export const FRONTCHANNEL_WAIT_MS = 3_000;

const CONTINUE_SCRIPT = `(function(){var f=document.querySelectorAll("iframe.logout"),n=f.length,l=document.getElementById("next"),done=false;
function go(){if(!done&&l){done=true;location.replace(l.href)}}
for(var i=0;i<f.length;i++)f[i].addEventListener("load",function(){if(--n<=0)go()});
setTimeout(go,${FRONTCHANNEL_WAIT_MS});if(n===0)go()})();`;

/**
 * Front-Channel Logout 1.0 §3: the signed-out page frames each client's front-channel logout
 * URI, then (with a post_logout_redirect_uri) goes on to it once they have loaded or after
 * FRONTCHANNEL_WAIT_MS; without JavaScript, a link and a delayed refresh do the same.
 */
export function FrontchannelLogoutPage(props: { security: PageSecurity; clientName: string | null; frames: string[]; next: string | null }) {
  const t = textOf(props.security);
  return (
    <Layout title={t("logout.done_title")} security={props.security}>
      <h1>{t("logout.done_heading")}</h1>
      <p role="status">{props.clientName ? t("logout.done_all_client", { client: props.clientName }) : t("logout.done_all")}</p>
      {props.frames.map((src) => (
        <iframe class="logout" src={src} title={t("logout.frame_title")} width="0" height="0" hidden />
      ))}
      {props.next ? (
        <>
          <p>
            <a id="next" href={props.next}>
              {t("logout.continue")}
            </a>
          </p>
          <noscript>
            <meta http-equiv="refresh" content={`${FRONTCHANNEL_WAIT_MS / 1000};url=${props.next}`} />
          </noscript>
          <script nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: CONTINUE_SCRIPT }} />
        </>
      ) : (
        <p class="muted">{t("logout.close")}</p>
      )}
    </Layout>
  );
}
