import type { PageStep } from "../mfa/page-step";
import { CodeField, Layout, textOf, type PageSecurity } from "./layout";
import { EnrolFirstPage } from "./second-factor";

/** The approval pages' second factor: the code form posted back to the page, or "set it up first". */
export function PageSecondFactor(props: { security: PageSecurity; csrf: string; step: PageStep; pending: string; enrolled: boolean; error: string | null }) {
  const t = textOf(props.security);
  if (!props.enrolled) return <EnrolFirstPage security={props.security} clientName={props.step.clientName} text="mfa.page_enrol_text" />;
  return (
    <Layout title={t("mfa.title")} security={props.security}>
      <h1>{t("mfa.heading")}</h1>
      <p class="muted">{t("mfa.page_continue_with", { client: props.step.clientName })}</p>
      <p>{t("mfa.explain")}</p>
      {props.error ? (
        <p class="error" role="alert" id="second-factor-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action={props.step.action}>
        <input type="hidden" name="csrf" value={props.csrf} />
        {Object.entries(props.step.fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="step" value="second_factor" />
        <input type="hidden" name="pending" value={props.pending} />
        <CodeField label={t("mfa.code")} />
        <button type="submit">{t("mfa.verify")}</button>
      </form>
    </Layout>
  );
}
