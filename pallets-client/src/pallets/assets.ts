import type { ApiPromise } from "@polkadot/api";
import { callOf, type Extrinsic } from "../client.ts";

export interface AssetDetails {
  owner: string;
  issuer: string;
  admin: string;
  freezer: string;
  supply: bigint;
  isFrozen: boolean;
}

export interface AssetAccount {
  balance: bigint;
  isFrozen: boolean;
}

/** Assets: fungible tokens with an issuer (mint), an admin (burn, thaw, force transfer) and a freezer. */
export class AssetsPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  create(id: number, admin: string, minBalance: bigint): Extrinsic {
    return callOf(this.api, "assets", "create")(id, admin, minBalance);
  }
  setMetadata(id: number, name: string, symbol: string, decimals: number): Extrinsic {
    return callOf(this.api, "assets", "setMetadata")(id, name, symbol, decimals);
  }
  setTeam(id: number, issuer: string, admin: string, freezer: string): Extrinsic {
    return callOf(this.api, "assets", "setTeam")(id, issuer, admin, freezer);
  }
  mint(id: number, to: string, amount: bigint): Extrinsic {
    return callOf(this.api, "assets", "mint")(id, to, amount);
  }
  burn(id: number, who: string, amount: bigint): Extrinsic {
    return callOf(this.api, "assets", "burn")(id, who, amount);
  }
  transfer(id: number, to: string, amount: bigint): Extrinsic {
    return callOf(this.api, "assets", "transfer")(id, to, amount);
  }
  freeze(id: number, who: string): Extrinsic {
    return callOf(this.api, "assets", "freeze")(id, who);
  }
  thaw(id: number, who: string): Extrinsic {
    return callOf(this.api, "assets", "thaw")(id, who);
  }
  async details(id: number): Promise<AssetDetails | undefined> {
    const raw = (await this.api.query.assets.asset(id)) as unknown as {
      isSome: boolean;
      unwrap(): Record<string, { toString(): string; isTrue?: boolean }>;
    };
    if (!raw.isSome) return undefined;
    const d = raw.unwrap();
    return {
      owner: d.owner!.toString(),
      issuer: d.issuer!.toString(),
      admin: d.admin!.toString(),
      freezer: d.freezer!.toString(),
      supply: BigInt(d.supply!.toString()),
      isFrozen: d.isFrozen!.toString() === "true",
    };
  }
  async account(id: number, who: string): Promise<AssetAccount> {
    const raw = (await this.api.query.assets.account(id, who)) as unknown as {
      isSome?: boolean;
      unwrap?(): { balance: { toString(): string }; isFrozen: { toString(): string } };
      balance?: { toString(): string };
      isFrozen?: { toString(): string };
    };
    // Older runtimes return the struct with defaults; newer ones an Option.
    const a = raw.unwrap
      ? raw.isSome
        ? raw.unwrap()
        : undefined
      : (raw as { balance: { toString(): string }; isFrozen: { toString(): string } });
    if (!a) return { balance: 0n, isFrozen: false };
    return { balance: BigInt(a.balance.toString()), isFrozen: a.isFrozen.toString() === "true" };
  }
  async balance(id: number, who: string): Promise<bigint> {
    return (await this.account(id, who)).balance;
  }
}
