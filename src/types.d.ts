// SQL migration files are bundled as text (wrangler rule { type: "Text", globs: ["**/*.sql"] }).
declare module "*.sql" {
  const sql: string;
  export default sql;
}

// Workers provide AsyncLocalStorage under nodejs_compat; only the part the router uses is declared
// here, so the worker's types do not take in all of @types/node.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
