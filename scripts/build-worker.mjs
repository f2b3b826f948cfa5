// The production build of the worker: one esbuild run with code splitting, so every
// `import()` in src (src/router/lazy.ts) becomes a module of its own that workerd compiles
// only when a request first needs it. Wrangler's own bundler makes a single file (its lazy
// imports are evaluated late but still parsed at startup), so `wrangler deploy --env production`
// runs this (wrangler.jsonc: env.production.build) and uploads dist/worker as it is (no_bundle).
//
//   node scripts/build-worker.mjs [--outdir DIR] [--report]
//
// --report prints the startup closure (the entry module and every module it imports
// statically: what a new isolate loads before its first request) and the whole upload, both
// measured as wrangler measures a bundle: gzip of the modules' bytes concatenated.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist/worker" }, report: { type: "boolean", default: false } } });
const outdir = values.outdir;

// Node built-ins some dependencies import by their bare names; workerd serves them under node:
// (nodejs_compat). CommonJS dependencies (xml-crypto, xmldom) require() them, which an ES module
// cannot do, so a require gets a small ES module re-exporting the built-in (what wrangler's own
// bundler does for nodejs_compat).
const NODE_BUILTINS = new Set(["buffer", "crypto", "events", "stream", "string_decoder", "util"]);
const nodeBuiltins = {
  name: "node-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, "");
      if (!NODE_BUILTINS.has(name)) return undefined;
      return args.kind === "require-call" ? { path: name, namespace: "node-require" } : { path: `node:${name}`, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: "node-require" }, (args) => ({
      contents: `export * from "node:${args.path}";\nexport { default } from "node:${args.path}";\n`,
      loader: "js",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { index: "src/index.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: "es2024",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["cloudflare:*", "node:*"],
  loader: { ".sql": "text" },
  jsx: "automatic",
  jsxImportSource: "hono/jsx",
  metafile: true,
  logLevel: "warning",
  plugins: [nodeBuiltins],
});

if (values.report) {
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint === "src/index.ts");
  const startup = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (startup.has(file)) continue;
    startup.add(file);
    for (const imported of outputs[file].imports) if (imported.kind === "import-statement" && outputs[imported.path]) pending.push(imported.path);
  }
  const modules = Object.keys(outputs).filter((file) => file.endsWith(".js"));
  const measure = (files) => {
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    return { kib: bytes.length / 1024, gzipKib: gzipSync(bytes).length / 1024 };
  };
  const first = measure([...startup]);
  const all = measure(modules);
  // What the startup closure is made of: source files and packages (node_modules/<name>).
  const inputs = new Set();
  for (const file of startup) {
    for (const input of Object.keys(outputs[file].inputs)) {
      const parts = input.split("/");
      inputs.add(parts[0] === "node_modules" ? parts.slice(0, parts[1].startsWith("@") ? 3 : 2).join("/") : input);
    }
  }
  console.log(JSON.stringify({ startup: { modules: startup.size, ...first, inputs: [...inputs].sort() }, upload: { modules: modules.length, ...all }, outdir: join(outdir) }));
}
