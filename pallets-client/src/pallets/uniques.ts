import type { ApiPromise } from "@polkadot/api";
import { hexToString, isHex, stringToHex } from "@polkadot/util";
import { callOf, type Extrinsic } from "../client.ts";

export interface UniqueItem {
  owner: string;
  isFrozen: boolean;
}

export interface UniqueClass {
  owner: string;
  issuer: string;
  admin: string;
  freezer: string;
  items: number;
}

/** Uniques: classes of non-fungible items with string attributes; items can be frozen (not transferable). */
export class UniquesPallet {
  readonly api: ApiPromise;
  constructor(api: ApiPromise) {
    this.api = api;
  }
  create(classId: number, admin: string): Extrinsic {
    return callOf(this.api, "uniques", "create")(classId, admin);
  }
  mint(classId: number, item: number, owner: string): Extrinsic {
    return callOf(this.api, "uniques", "mint")(classId, item, owner);
  }
  burn(classId: number, item: number): Extrinsic {
    return callOf(this.api, "uniques", "burn")(classId, item, null);
  }
  transfer(classId: number, item: number, to: string): Extrinsic {
    return callOf(this.api, "uniques", "transfer")(classId, item, to);
  }
  setAttribute(classId: number, item: number | null, key: string, value: string): Extrinsic {
    return callOf(this.api, "uniques", "setAttribute")(classId, item, stringToHex(key), stringToHex(value));
  }
  freeze(classId: number, item: number): Extrinsic {
    return callOf(this.api, "uniques", "freeze")(classId, item);
  }
  thaw(classId: number, item: number): Extrinsic {
    return callOf(this.api, "uniques", "thaw")(classId, item);
  }
  setTeam(classId: number, issuer: string, admin: string, freezer: string): Extrinsic {
    return callOf(this.api, "uniques", "setTeam")(classId, issuer, admin, freezer);
  }
  async classOf(classId: number): Promise<UniqueClass | undefined> {
    const raw = (await this.api.query.uniques.class(classId)) as unknown as {
      isSome: boolean;
      unwrap(): Record<string, { toString(): string }>;
    };
    if (!raw.isSome) return undefined;
    const c = raw.unwrap();
    return {
      owner: c.owner!.toString(),
      issuer: c.issuer!.toString(),
      admin: c.admin!.toString(),
      freezer: c.freezer!.toString(),
      items: Number(c.instances!.toString()),
    };
  }
  async item(classId: number, item: number): Promise<UniqueItem | undefined> {
    const raw = (await this.api.query.uniques.asset(classId, item)) as unknown as {
      isSome: boolean;
      unwrap(): Record<string, { toString(): string }>;
    };
    if (!raw.isSome) return undefined;
    const i = raw.unwrap();
    return { owner: i.owner!.toString(), isFrozen: i.isFrozen!.toString() === "true" };
  }
  /** All attributes of an item (or of the class with `item` null), as UTF-8 strings. */
  async attributes(classId: number, item: number | null): Promise<Record<string, string>> {
    const entries = await this.api.query.uniques.attribute.entries(classId, item);
    const out: Record<string, string> = {};
    for (const [key, value] of entries) {
      const k = key.args[2]!.toHex();
      const v = (value as unknown as { isSome: boolean; unwrap(): [{ toHex(): string }] })
        .unwrap()[0]
        .toHex();
      out[isHex(k) ? hexToString(k) : k] = hexToString(v);
    }
    return out;
  }
}
