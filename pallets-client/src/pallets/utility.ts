import type { ApiPromise } from "@polkadot/api";
import { callOf, type Extrinsic } from "../client.ts";

/** Utility: atomic batches (all or nothing) and derivative accounts. */
export class UtilityPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  /** All calls or none: a failing call reverts the batch and surfaces as the extrinsic's dispatch error. */
  batchAll(calls: readonly Extrinsic[]): Extrinsic {
    return calls.length === 1 ? calls[0]! : callOf(this.api, "utility", "batchAll")([...calls]);
  }
  asDerivative(index: number, call: Extrinsic): Extrinsic {
    return callOf(this.api, "utility", "asDerivative")(index, call);
  }
}
