import { describe, expect, it } from "vitest";
import { frameName, topFrames, type CpuProfile } from "../../load/profile/frames.ts";

const frame = (functionName: string, line = 0, url = "index.js") => ({ functionName, url, lineNumber: line });

// root → handler → { sign, sql }; handler also calls itself (recursion must count once in total time).
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", -1, ""), children: [2, 6] },
    { id: 2, callFrame: frame("handler", 9), children: [3, 4, 5] },
    { id: 3, callFrame: frame("sign", 19) },
    { id: 4, callFrame: frame("sql", 29) },
    { id: 5, callFrame: frame("handler", 9), children: [7] },
    { id: 6, callFrame: frame("(idle)", -1, "") },
    { id: 7, callFrame: frame("sql", 29) },
  ],
  // 2 handler, 3 sign, 4 sql (one under the recursive handler), 1 idle
  samples: [2, 2, 3, 3, 3, 4, 4, 4, 7, 6],
};

describe("top frames of a CPU profile", () => {
  const top = topFrames(profile);

  it("leaves idle samples out of the shares", () => {
    expect(top.samples).toBe(10);
    expect(top.idle).toBe(1);
  });

  it("ranks functions by self time, merging the same function at different stacks", () => {
    expect(top.self.map((f) => [f.name, f.samples])).toEqual([
      ["sql index.js:30", 4],
      ["sign index.js:20", 3],
      ["handler index.js:10", 2],
    ]);
    expect(top.self[0]!.percent).toBeCloseTo((4 / 9) * 100, 1);
  });

  it("counts a function once per sample in total time, even when it recurses", () => {
    const handler = top.total.find((f) => f.name === "handler index.js:10")!;
    expect(handler.samples).toBe(9);
    expect(handler.percent).toBe(100);
  });

  it("names frames by function, file and 1-based line", () => {
    expect(frameName(frame("", 4, "file:///a/b/c.js"))).toBe("(anonymous) b/c.js:5");
  });
});
