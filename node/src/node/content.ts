/** Content identifiers for task inputs and outputs: CIDv1, dag-json, sha2-256 (what storage/blocks stores them as). */
import { CID } from "multiformats/cid";
import * as json from "multiformats/codecs/json";
import { sha256 } from "multiformats/hashes/sha2";

const DAG_JSON = 0x0129;

/** The CID of a JSON value (the same bytes storage/blocks would store). */
export async function contentId(value: unknown): Promise<string> {
  const bytes = json.encode(value ?? null);
  return CID.create(1, DAG_JSON, await sha256.digest(bytes)).toString();
}

/** The sha2-256 digest inside a CID, as 0x-hex: the `resultHash` the escrow keeps. */
export function digestOf(cid: string): string {
  return "0x" + Buffer.from(CID.parse(cid).multihash.digest).toString("hex");
}
