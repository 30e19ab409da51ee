import type { ApiPromise } from "@polkadot/api";
import { callOf, type Extrinsic } from "../client.ts";

/** Proxy: pure ("anonymous" in this runtime) proxy accounts, and calls made on their behalf. */
export class ProxyPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  /** Creates a keyless account whose only delegate (type `Any`) is the sender. Emits `proxy.AnonymousCreated`. */
  createPure(index = 0): Extrinsic {
    // `proxy.anonymous` was renamed `proxy.createPure` in later runtimes.
    const name = (this.api.tx as unknown as { proxy?: { createPure?: unknown } }).proxy?.createPure
      ? "createPure"
      : "anonymous";
    return callOf(this.api, "proxy", name)("Any", 0, index);
  }
  /** Dispatch `call` as `real` (the sender must be its delegate). */
  proxy(real: string, call: Extrinsic): Extrinsic {
    return callOf(this.api, "proxy", "proxy")(real, null, call);
  }
  async delegates(real: string): Promise<string[]> {
    const [defs] = (await this.api.query.proxy.proxies(real)) as unknown as [
      { delegate: { toString(): string } }[],
    ];
    return defs.map((d) => d.delegate.toString());
  }
}
