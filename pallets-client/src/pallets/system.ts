import { blake2AsHex } from "@polkadot/util-crypto";
import { stringToU8a, u8aToHex } from "@polkadot/util";
import type { ApiPromise } from "@polkadot/api";
import { callOf, type Extrinsic } from "../client.ts";

/** System: remarks that leave an event (`Remarked(sender, blake2_256(remark))`), and account nonces. */
export class SystemPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  remarkWithEvent(remark: string | Uint8Array): Extrinsic {
    return callOf(
      this.api,
      "system",
      "remarkWithEvent",
    )(typeof remark === "string" ? u8aToHex(stringToU8a(remark)) : remark);
  }
  /** The hash the runtime puts in `system.Remarked` for this remark. */
  static remarkHash(remark: string | Uint8Array): string {
    return blake2AsHex(typeof remark === "string" ? stringToU8a(remark) : remark, 256);
  }
  async nextNonce(address: string): Promise<number> {
    return (await this.api.rpc.system.accountNextIndex(address)).toNumber();
  }
  /** Milliseconds since the epoch at the head (pallet timestamp). */
  async now(): Promise<number> {
    return Number((await this.api.query.timestamp.now()).toString());
  }
}
