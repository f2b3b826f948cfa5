import { shardOf } from "../../src/shard/map";
import { currentDirectoryMap } from "../helpers/shards";

/** The shard that owns `bucket` under the current map. */
export async function shardOfBucket(bucket: number): Promise<string> {
  return shardOf(await currentDirectoryMap(), bucket);
}
