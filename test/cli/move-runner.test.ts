import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdminClient, AdminResponse } from "../../cli/lib/admin-client.ts";
import { runMoves, type Move } from "../../cli/lib/move-runner.ts";

const move = (id: number): Move => ({ id, bucket: id, from: "shard-0", to: "shard-1", step: "planned", fence_ms: null, users: null, error: null });

/** An operator API whose move runs answer from `answer` (by move id and attempt); records the paths asked. */
function fakeApi(answer: (id: number, attempt: number) => AdminResponse): AdminClient & { paths: string[] } {
  const attempts = new Map<number, number>();
  const paths: string[] = [];
  return {
    url: "http://127.0.0.1:1",
    paths,
    async request(_method, path) {
      paths.push(path);
      const id = Number(/moves\/(\d+)\/run$/.exec(path)?.[1]);
      const attempt = attempts.get(id) ?? 0;
      attempts.set(id, attempt + 1);
      return answer(id, attempt);
    },
  };
}

const done = (id: number, fenceMs: number): AdminResponse => ({ status: 200, body: { move: { ...move(id), step: "done", fence_ms: fenceMs, users: 2 }, error: null } });
const options = { holder: "test", concurrency: 4, progress: false };

afterEach(() => vi.restoreAllMocks());

describe("npm run shards: the move runner", () => {
  it("runs every move, K at a time, and takes fence percentiles from a histogram", async () => {
    const api = fakeApi((id) => done(id, id));
    const summary = await runMoves(api, Array.from({ length: 100 }, (_, i) => move(i + 1)), options);
    expect(summary).toMatchObject({ moves: 100, done: 100, rolled_back: 0, failed: [], users_moved: 200, interrupted: false });
    expect(summary.fence_ms).toEqual({ max: 100, p50: 50, p99: 99 });
    expect(new Set(api.paths).size).toBe(100);
  });

  it("waits while another operator holds the lease, by the error code, then runs the move", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const api = fakeApi((id, attempt) =>
      attempt === 0 ? { status: 409, body: { error: "lease_held", error_description: "bucket moves are leased by someone@else:1 until later" } } : done(id, 7),
    );
    const summary = await runMoves(api, [move(1)], options);
    expect(summary).toMatchObject({ done: 1, fence_ms: { max: 7, p50: 7, p99: 7 } });
    expect(api.paths).toHaveLength(2);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^waiting: bucket moves are leased by someone@else/);
  });

  it("stops at any other refusal with the server's message", async () => {
    const api = fakeApi(() => ({ status: 409, body: { error: "move_open", error_description: "bucket 1 already has move 9 in step copying" } }));
    await expect(runMoves(api, [move(1)], options)).rejects.toThrow("move 1 (bucket 1): bucket 1 already has move 9 in step copying");
  });

  it("collects moves that did not finish as failures", async () => {
    const api = fakeApi((id) => ({ status: 200, body: { move: { ...move(id), step: "copying" }, error: "export: bucket_moving" } }));
    const summary = await runMoves(api, [move(3)], options);
    expect(summary.failed).toEqual([{ id: 3, bucket: 3, step: "copying", error: "export: bucket_moving" }]);
    expect(summary.fence_ms).toEqual({ max: 0, p50: 0, p99: 0 });
  });
});
