import { describe, expect, it } from "vitest";
import { commandSpec, pickCommand } from "../../cli/lib/admin-commands.ts";
import { formatHelp, readArgs, UsageError } from "../../cli/lib/args.ts";
import { SHARD_COMMANDS, verifyRange, type ShardCommand } from "../../cli/lib/shard-commands.ts";

const specOf = (name: ShardCommand) => commandSpec("shards", name, SHARD_COMMANDS[name].summary, SHARD_COMMANDS[name].options);

/** What `npm run shards -- <argv>` reads from its command line, as the CLI reads it. */
function read(...argv: string[]) {
  const picked = pickCommand(Object.keys(SHARD_COMMANDS), argv);
  if (picked === "help") return "help";
  const read = readArgs(specOf(picked.name as ShardCommand), picked.rest);
  return read.help ? "help" : read.values;
}

/** The message `npm run shards` prints (after "error: ") for a command line. */
function error(...argv: string[]): string {
  try {
    read(...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${argv.join(" ")}`);
}

describe("npm run shards: argument errors are clear", () => {
  it("names a missing or unknown command and lists the real ones", () => {
    expect(error()).toBe("missing command");
    expect(error("rebalanse")).toBe("unknown command 'rebalanse' (commands: status, plan, add-shard, move, rebalance, resume, verify, backup, backups, restore, pitr)");
    expect(error("--shards", "4")).toBe("expected a command before --shards");
  });

  it("says which required option is missing", () => {
    expect(error("plan")).toBe("--shards is required");
    expect(error("move", "--bucket", "3")).toBe("--to is required");
    expect(error("rebalance")).toBe("--shards is required");
  });

  it("names the option and the bad value, with the allowed range", () => {
    expect(error("plan", "--shards", "0")).toBe("--shards must be an integer between 1 and 4096, got '0'");
    expect(error("plan", "--shards", "4.5")).toBe("--shards must be an integer between 1 and 4096, got '4.5'");
    expect(error("plan", "--shards=lots")).toBe("--shards must be an integer between 1 and 4096, got 'lots'");
    expect(error("plan", "--shards", "4", "--by", "cpu")).toBe("--by must be buckets or load, got 'cpu'");
    expect(error("move", "--bucket", "4096", "--to", "shard-1")).toBe("--bucket must be a bucket number between 0 and 4095, got '4096'");
    expect(error("move", "--bucket", "-1", "--to", "shard-1")).toBe("--bucket must be a bucket number between 0 and 4095, got '-1'");
    expect(error("move", "--bucket", "7", "--to", "3")).toBe("--to must be a shard name like shard-3 (see `status`), got '3'");
    expect(error("rebalance", "--shards", "4", "--concurrency", "0")).toBe("--concurrency must be an integer between 1 and 32, got '0'");
    expect(error("rebalance", "--shards", "4", "--max-rate", "0")).toBe("--max-rate must be a positive number of moves per second (e.g. 2 or 0.5), got '0'");
    expect(error("rebalance", "--shards", "4", "--max-rate", "-2")).toBe("--max-rate must be a positive number of moves per second (e.g. 2 or 0.5), got '-2'");
    expect(error("rebalance", "--shards", "4", "--max-rate", "fast")).toMatch(/^--max-rate must be a positive number/);
    expect(() => verifyRange(100, 50)).toThrow(new UsageError("--from (100) must not be after --to (50)"));
  });

  it("catches typos, stray words, repeats and values where none belong", () => {
    expect(error("rebalance", "--shards", "4", "--concurency", "2")).toBe("unknown option --concurency for rebalance (did you mean --concurrency?)");
    expect(error("status", "--shards", "4")).toBe("unknown option --shards for status");
    expect(error("plan", "4")).toBe("unexpected argument '4' (options start with --)");
    expect(error("plan", "--shards", "4", "--shards", "5")).toBe("--shards given twice");
    expect(error("status", "--json=yes")).toBe("--json does not take a value");
    expect(error("plan", "--shards")).toBe("--shards needs a value (N)");
    expect(error("plan", "--shards", "--json")).toBe("--shards needs a value (N); write --shards=VALUE for a value that starts with '-'");
    expect(error("status", "--url", "")).toBe("--url must not be empty");
  });

  it("reads good command lines into typed values", () => {
    expect(read("rebalance", "--shards", "8", "--concurrency=6", "--max-rate", "0.5", "--json")).toEqual({
      shards: 8,
      concurrency: 6,
      "max-rate": 0.5,
      json: true,
    });
    expect(read("resume", "--rollback")).toMatchObject({ rollback: true, json: false });
    expect(read("move", "--bucket", "0", "--to", "shard-12")).toMatchObject({ bucket: 0, to: "shard-12" });
    expect(read("plan", "--help")).toBe("help");
    expect(read("--help")).toBe("help");
    expect(verifyRange(undefined, undefined)).toEqual({ first: 0, last: 4095 });
  });

  it("has help for every command", () => {
    for (const name of Object.keys(SHARD_COMMANDS) as ShardCommand[]) {
      expect(formatHelp(specOf(name))).toContain(`Usage: npm run shards -- ${name} [options]`);
    }
    expect(formatHelp(specOf("rebalance"))).toContain("--max-rate R");
  });
});
