// Process CPU of the local provider, from Linux /proc. Workers do not report CPU
// time per request, so the suite measures what it can: the CPU the workerd
// process used during a scenario (router, actors and the local D1 emulation
// together) divided by the requests it served. Elsewhere these return nothing.
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** Socket inodes listening on 127.0.0.1:port (state 0A = LISTEN in /proc/net/tcp). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== "0A") continue;
      if (parseInt(local.split(":")[1] ?? "", 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Processes holding a socket that listens on `port` (the workerd serving the provider). */
function listeningPids(port: number): number[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const pid of entries) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // Not ours to read, or gone.
    }
    const holds = fds.some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m !== null && inodes.has(m[1]!);
      } catch {
        return false;
      }
    });
    if (holds) pids.push(Number(pid));
  }
  return pids;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/**
 * The workerd processes of the provider on `port`: `wrangler dev` runs two, a proxy
 * that owns the port and the runtime of the worker and its actors on a port of its
 * own, both children of wrangler. Both do work for every request, so both are counted.
 */
export function providerPids(port: number): number[] {
  const listeners = listeningPids(port);
  const parents = new Set(listeners.map(parentOf).filter((p): p is number => p !== null && p > 1));
  if (parents.size === 0) return listeners;
  const siblings = readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => parents.has(parentOf(pid) ?? -1) && processName(pid) === "workerd");
  return [...new Set([...listeners, ...siblings])].sort((a, b) => a - b);
}

/** User + system CPU milliseconds used so far by `pids` (null when /proc cannot tell). */
export function cpuMs(pids: readonly number[]): number | null {
  if (pids.length === 0) return null;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) start at field 3.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return null;
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

/** Bytes of the SQLite files of the local UserShardActor objects under a wrangler persist dir (null if none). */
export function shardDatabaseBytes(persistDir: string): number | null {
  const dir = join(persistDir, "v3", "do", "authshard-UserShardActor");
  try {
    const files = readdirSync(dir).filter((f) => f !== "metadata.sqlite" && /\.sqlite(-wal)?$/.test(f));
    return files.reduce((n, f) => n + statSync(join(dir, f)).size, 0) || null;
  } catch {
    return null;
  }
}
