// A CPU profile over the Chrome DevTools Protocol from the inspector `wrangler dev`
// serves (--inspector-port). Locally the router and every Durable Object run in one
// workerd isolate group behind that one inspector, so the profile covers both.
import type { CpuProfile } from "./frames.ts";

type Send = (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function connect(port: number): Promise<{ send: Send; close: () => void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on 127.0.0.1:${port}`);
  // wrangler's inspector proxy refuses a WebSocket without an Origin header.
  const ws = new WebSocket(url, { headers: { Origin: `http://127.0.0.1:${port}` } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to the inspector at ${url}`));
  });
  let next = 0;
  const pending = new Map<number, (value: Record<string, unknown>) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
  };
  const send: Send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Profiles the worker while `during` runs; sampling every `intervalUs` microseconds. */
export async function profileDuring(port: number, during: () => Promise<void>, intervalUs = 200): Promise<CpuProfile> {
  const { send, close } = await connect(port);
  try {
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: intervalUs });
    await send("Profiler.start");
    await during();
    const { profile } = await send("Profiler.stop");
    return profile as unknown as CpuProfile;
  } finally {
    close();
  }
}
