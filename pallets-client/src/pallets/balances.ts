import type { ApiPromise } from "@polkadot/api";
import { callOf, type Extrinsic } from "../client.ts";

/** Balances: the native token (ROC on Rococo Asset Hub), used for escrow payments and fees. */
export class BalancesPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  /** Allows the sender's account to be reaped (the runtime's old `transfer`). */
  transfer(to: string, amount: bigint): Extrinsic {
    // `balances.transfer` became `balances.transferAllowDeath` in later runtimes.
    const name = (this.api.tx as unknown as { balances?: { transferAllowDeath?: unknown } }).balances
      ?.transferAllowDeath
      ? "transferAllowDeath"
      : "transfer";
    return callOf(this.api, "balances", name)(to, amount);
  }
  transferKeepAlive(to: string, amount: bigint): Extrinsic {
    return callOf(this.api, "balances", "transferKeepAlive")(to, amount);
  }
  async free(address: string): Promise<bigint> {
    const account = await this.api.query.system.account(address);
    return account.data.free.toBigInt();
  }
  get existentialDeposit(): bigint {
    return BigInt(this.api.consts.balances.existentialDeposit.toString());
  }
}
