// Top frames of a V8 CPU profile (.cpuprofile, as the DevTools protocol's Profiler.stop
// returns it): samples per function by self time and by total time (a function counted
// once per sample however often it is on the stack), as shares of the non-idle samples.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
}

export interface Frame {
  name: string;
  samples: number;
  /** Share of the non-idle samples, in percent. */
  percent: number;
}

export interface TopFrames {
  samples: number;
  idle: number;
  self: Frame[];
  total: Frame[];
}

const IDLE = new Set(["(idle)", "(program)", "(root)"]);

/** "name file:line", the file shortened to its last two path parts. */
export function frameName(frame: CpuProfileNode["callFrame"]): string {
  const file = frame.url.split("/").slice(-2).join("/");
  return `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}` : ""}`;
}

export function topFrames(profile: CpuProfile, limit = 25): TopFrames {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let idle = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === "(idle)") {
      idle += count;
      continue;
    }
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + count);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!;
      const key = frameName(frame.callFrame);
      if (IDLE.has(frame.callFrame.functionName) || seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + count);
    }
  }
  const busy = Math.max(profile.samples.length - idle, 1);
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([name, samples]) => ({ name, samples, percent: Math.round((samples / busy) * 1000) / 10 }));
  return { samples: profile.samples.length, idle, self: ranked(self), total: ranked(total) };
}

export function framesText(top: TopFrames): string {
  const table = (title: string, frames: Frame[]) => [`${title}`, ...frames.map((f) => `${f.percent.toFixed(1).padStart(6)}%  ${f.name}`)].join("\n");
  return [
    `${top.samples} samples, ${top.idle} idle; shares of the ${top.samples - top.idle} busy samples`,
    table("by self time:", top.self),
    table("by total time:", top.total),
  ].join("\n\n");
}
