import type { ApiPromise } from "@polkadot/api";
import { createKeyMulti, encodeAddress, sortAddresses } from "@polkadot/util-crypto";
import { callOf, type Extrinsic } from "../client.ts";

/** Where a pending multisig operation started: its block and extrinsic index. */
export interface Timepoint {
  height: number;
  index: number;
}

export interface PendingMultisig {
  when: Timepoint;
  depositor: string;
  approvals: string[];
}

/** Weight allowed for the inner call of `asMulti` (the runtime takes one number: v1 weights). */
export const DEFAULT_MAX_WEIGHT = 10_000_000_000n;

/** Multisig: threshold accounts derived from their signatories; calls approved then executed. */
export class MultisigPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  /** The multisig account of `signatories` at `threshold`, in the chain's SS58 format. */
  address(signatories: readonly string[], threshold: number): string {
    return encodeAddress(createKeyMulti([...signatories], threshold), this.api.registry.chainSS58);
  }
  /** The other signatories, sorted as the pallet requires. */
  others(signatories: readonly string[], me: string): string[] {
    const mine = encodeAddress(me, this.api.registry.chainSS58);
    return sortAddresses(
      signatories.map((s) => encodeAddress(s, this.api.registry.chainSS58)).filter((s) => s !== mine),
      this.api.registry.chainSS58,
    );
  }
  async pending(multisig: string, callHash: string): Promise<PendingMultisig | undefined> {
    const entry = await this.api.query.multisig.multisigs(multisig, callHash);
    const value = entry as unknown as {
      isSome: boolean;
      unwrap(): {
        when: { height: { toNumber(): number }; index: { toNumber(): number } };
        depositor: { toString(): string };
        approvals: { toString(): string }[];
      };
    };
    if (!value.isSome) return undefined;
    const m = value.unwrap();
    return {
      when: { height: m.when.height.toNumber(), index: m.when.index.toNumber() },
      depositor: m.depositor.toString(),
      approvals: m.approvals.map((a) => encodeAddress(a.toString(), this.api.registry.chainSS58)),
    };
  }
  /** The runtime's weight argument: one number (v1, as on spec 900) or `{ refTime, proofSize }` (v2). */
  #weight(method: "approveAsMulti" | "asMulti", refTime: bigint): unknown {
    const args = callOf(this.api, "multisig", method) as unknown as {
      meta: { args: { type: { toString(): string } }[] };
    };
    const type = args.meta.args[args.meta.args.length - 1]?.type.toString() ?? "u64";
    return /^u64$|Compact<u64>/.test(type)
      ? refTime
      : { refTime, proofSize: refTime === 0n ? 0n : 1_000_000n };
  }
  approveAsMulti(
    threshold: number,
    others: readonly string[],
    timepoint: Timepoint | undefined,
    callHash: string,
    maxWeight = 0n,
  ): Extrinsic {
    return callOf(this.api, "multisig", "approveAsMulti")(
      threshold,
      [...others],
      timepoint ?? null,
      callHash,
      this.#weight("approveAsMulti", maxWeight),
    );
  }
  /** Execute (or approve with the call's data). Old runtimes take `storeCall` and an opaque call. */
  asMulti(
    threshold: number,
    others: readonly string[],
    timepoint: Timepoint | undefined,
    call: Extrinsic,
    maxWeight = DEFAULT_MAX_WEIGHT,
  ): Extrinsic {
    const fn = callOf(this.api, "multisig", "asMulti");
    const arity = (fn as unknown as { meta: { args: unknown[] } }).meta.args.length;
    const weight = this.#weight("asMulti", maxWeight);
    return arity === 6
      ? fn(threshold, [...others], timepoint ?? null, call.method.toHex(), false, weight)
      : fn(threshold, [...others], timepoint ?? null, call.method, weight);
  }
  cancelAsMulti(
    threshold: number,
    others: readonly string[],
    timepoint: Timepoint,
    callHash: string,
  ): Extrinsic {
    return callOf(this.api, "multisig", "cancelAsMulti")(threshold, [...others], timepoint, callHash);
  }
}
