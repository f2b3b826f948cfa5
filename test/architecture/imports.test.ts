import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The import rule of src/ (README "Layout"): imports point one way —
 * router → shard, oauth, config → the actors' contracts (actors/<name>/api.ts,
 * actors/results.ts). Actors never import the router; nothing outside an actor's
 * folder imports its internals; src/oauth stays free of the router and of actors.
 * Type-only imports count too: a type the router borrows from an actor's internals
 * ties the two together just the same.
 */

const SRC = resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Every src/ file → the src/ files it imports (relative paths under src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = info.importedFiles
      .map((f) => resolveImport(file, f.fileName))
      .filter((t): t is string => t !== null && t.startsWith(SRC + "/"))
      .map((t) => relative(SRC, t));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** An actor's contract: its api.ts, and the parts of it in its api/ folder. */
const isContract = (f: string) => /^actors\/[^/]+\/api(\.ts|\/[^/]+\.ts)$/.test(f) || f === "actors/results.ts";
const actorOf = (f: string) => /^actors\/([^/]+)\//.exec(f)?.[1] ?? null;

/** Why `from` may not import `to`, or null when it may. */
export function violation(from: string, to: string): string | null {
  if (to === "index.ts") return "nothing imports the worker entry";
  if (from === "index.ts" || from === "env.ts") return null; // the composition root: binds the actor classes
  const toActor = actorOf(to);
  if (toActor !== null && !isContract(to) && actorOf(from) !== toActor) return `only ${toActor}'s api.ts is public, not ${to}`;
  if (to.startsWith("router/") && !from.startsWith("router/")) return "only the router imports the router";
  if (isContract(from) && !isContract(to) && !to.startsWith("shard/") && !to.startsWith("oauth/")) return "a contract imports only contracts and pure types";
  if (from.startsWith("oauth/") && !(to.startsWith("oauth/") || to === "shard/bucket.ts" || isContract(to))) return "src/oauth is pure protocol code";
  if (from.startsWith("shard/") && (toActor !== null && !isContract(to))) return "src/shard sees actors only through their contracts";
  return null;
}

/** Strongly connected components with more than one file (import circles), by Tarjan's algorithm. */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe("import rule of src/", () => {
  const graph = importGraph();

  it("finds the source tree", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get("router/app.ts")?.length).toBeGreaterThan(5);
  });

  it("has every import pointing the allowed way", () => {
    const wrong = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to, why: violation(from, to) })).filter((e) => e.why !== null));
    expect(wrong).toEqual([]);
  });

  it("has no import circle between layers (env.ts, which binds the actor classes, aside)", () => {
    const withoutEnv = new Map([...graph].filter(([f]) => f !== "env.ts").map(([f, tos]) => [f, tos.filter((t) => t !== "env.ts")]));
    const crossing = circles(withoutEnv).filter((scc) => new Set(scc.map((f) => f.split("/")[0])).size > 1);
    expect(crossing).toEqual([]);
  });

  it("refuses the imports it exists to refuse", () => {
    expect(violation("actors/user-shard/actor.ts", "router/config.ts")).not.toBeNull();
    expect(violation("router/tokens/issue.ts", "actors/user-shard/codes.ts")).not.toBeNull();
    expect(violation("oauth/claims.ts", "actors/user-shard/users.ts")).not.toBeNull();
    expect(violation("actors/directory/push.ts", "router/shards/call.ts")).not.toBeNull();
    expect(violation("oauth/secrets.ts", "router/errors.ts")).not.toBeNull();
    expect(violation("router/tokens/issue.ts", "actors/user-shard/api.ts")).toBeNull();
    expect(violation("actors/directory/copy.ts", "shard/rpc.ts")).toBeNull();
  });
});
