/**
 * Ainur's records on a Substrate chain: JSON remarks (`ainur:{...}`) made with `system.remarkWithEvent`,
 * read back block by block. A remark counts only when its `system.Remarked` event (sender and
 * blake2-256 hash) is in the same extrinsic, so the sender is the runtime's word, not the remark's:
 * for a remark dispatched through a proxy or a multisig, the sender is the proxied or multisig account.
 */
import type { ApiPromise } from "@polkadot/api";
import type { Call, EventRecord } from "@polkadot/types/interfaces";
import { encodeAddress } from "@polkadot/util-crypto";
import { u8aToString } from "@polkadot/util";
import { SystemPallet } from "../pallets/system.ts";

export const REMARK_PREFIX = "ainur:";

/** The payload of an Ainur remark: `t` names the record type. */
export interface RemarkPayload {
  t: string;
  [key: string]: unknown;
}

/** One event of an extrinsic, flattened. */
export interface FlatEvent {
  section: string;
  method: string;
  data: string[];
}

/** An Ainur remark found on chain, with the other events of its extrinsic (for cross-checks). */
export interface RemarkRecord {
  sender: string;
  payload: RemarkPayload;
  blockNumber: number;
  blockHash: string;
  /** The block's timestamp (ms since the epoch). */
  timestamp: number;
  extrinsicIndex: number;
  /** All events of the extrinsic, in order (JSON strings of their data fields). */
  events: FlatEvent[];
}

export function encodeRemark(payload: RemarkPayload): string {
  return REMARK_PREFIX + JSON.stringify(payload);
}

/** Every `system.remarkWithEvent` argument in a call tree (batches, proxies, multisigs, derivatives). */
export function remarksInCall(api: ApiPromise, call: Call, depth = 0): Uint8Array[] {
  if (depth > 8) return [];
  const { section, method } = call;
  if (section === "system" && method === "remarkWithEvent") return [call.args[0]!.toU8a(true)];
  const out: Uint8Array[] = [];
  const visit = (c: unknown): void => {
    const inner = toCall(api, c);
    if (inner) out.push(...remarksInCall(api, inner, depth + 1));
  };
  if (section === "utility" && (method === "batch" || method === "batchAll" || method === "forceBatch")) {
    for (const c of call.args[0] as unknown as unknown[]) visit(c);
  } else if (section === "utility" && method === "asDerivative") visit(call.args[1]);
  else if (section === "proxy" && method === "proxy") visit(call.args[2]);
  else if (section === "proxy" && method === "proxyAnnounced") visit(call.args[3]);
  else if (section === "multisig" && method === "asMulti") visit(call.args[3]);
  else if (section === "multisig" && method === "asMultiThreshold1") visit(call.args[1]);
  return out;
}

function toCall(api: ApiPromise, value: unknown): Call | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as {
    section?: string;
    method?: string;
    args?: unknown;
    toU8a?: (bare?: boolean) => Uint8Array;
  };
  if (typeof v.section === "string" && Array.isArray(v.args)) return value as Call;
  // multisig.asMulti carries its call as WrapperKeepOpaque<Call>: length-prefixed bytes.
  if (typeof v.toU8a === "function") {
    try {
      const bytes = v.toU8a(true);
      return api.registry.createType("Call", bytes) as Call;
    } catch {
      try {
        const bytes = v.toU8a(false);
        return api.registry.createType("Call", bytes) as Call;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Ainur remarks of one block, checked against their Remarked events. */
export async function remarksInBlock(api: ApiPromise, blockHash: string): Promise<RemarkRecord[]> {
  const [signedBlock, at] = await Promise.all([api.rpc.chain.getBlock(blockHash), api.at(blockHash)]);
  const records = (await at.query.system.events()) as unknown as EventRecord[];
  const blockNumber = signedBlock.block.header.number.toNumber();
  const ss58 = api.registry.chainSS58;
  const byExtrinsic = new Map<number, EventRecord[]>();
  for (const r of records) {
    if (!r.phase.isApplyExtrinsic) continue;
    const i = r.phase.asApplyExtrinsic.toNumber();
    const list = byExtrinsic.get(i) ?? [];
    list.push(r);
    byExtrinsic.set(i, list);
  }
  const out: RemarkRecord[] = [];
  let timestamp: number | undefined;
  for (const [index, evs] of byExtrinsic) {
    const remarked = evs.filter((r) => r.event.section === "system" && r.event.method === "Remarked");
    if (remarked.length === 0) continue;
    const failed = evs.some((r) => r.event.section === "system" && r.event.method === "ExtrinsicFailed");
    if (failed) continue;
    const extrinsic = signedBlock.block.extrinsics[index];
    if (!extrinsic) continue;
    const candidates = remarksInCall(api, extrinsic.method as unknown as Call).map((bytes) => ({
      bytes,
      hash: SystemPallet.remarkHash(bytes),
    }));
    const flat: FlatEvent[] = evs.map((r) => ({
      section: r.event.section,
      method: r.event.method,
      data: r.event.data.map((d) => d.toString()),
    }));
    for (const r of remarked) {
      const sender = encodeAddress(r.event.data[0]!.toString(), ss58);
      const hash = r.event.data[1]!.toString();
      const match = candidates.find((c) => c.hash === hash);
      if (!match) continue;
      const text = u8aToString(match.bytes);
      if (!text.startsWith(REMARK_PREFIX)) continue;
      let payload: RemarkPayload;
      try {
        payload = JSON.parse(text.slice(REMARK_PREFIX.length)) as RemarkPayload;
      } catch {
        continue;
      }
      if (typeof payload?.t !== "string") continue;
      timestamp ??= Number((await at.query.timestamp.now()).toString());
      out.push({ sender, payload, blockNumber, blockHash, timestamp, extrinsicIndex: index, events: flat });
    }
  }
  out.sort((a, b) => a.extrinsicIndex - b.extrinsicIndex);
  return out;
}
