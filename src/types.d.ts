// SQL migration files are bundled as text (wrangler rule { type: "Text", globs: ["**/*.sql"] }).
declare module "*.sql" {
  const sql: string;
  export default sql;
}
