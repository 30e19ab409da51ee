/**
 * Ainur's state on a Substrate chain, rebuilt from the chain's own records: remarks cross-checked
 * against the events of the same extrinsic (transfers, uniques issues, multisig executions).
 * A record that does not check out is ignored, so a forged remark changes nothing.
 */
import type { ApiPromise } from "@polkadot/api";
import type { AinurSubstrateDeployment } from "./deployment.ts";
import { remarksInBlock, type FlatEvent, type RemarkRecord } from "./records.ts";

export interface StakeState {
  bonded: bigint;
  unbonding: bigint;
  /** When the unbonding stake may be paid out (ms since the epoch), 0 if none. */
  unbondReadyAt: number;
  slashed: bigint;
}

export type EscrowStatus = "open" | "submitted" | "released" | "refunded";

export interface EscrowState {
  taskId: string;
  requester: string;
  agent: string;
  arbiter: string;
  /** The 2-of-3 multisig holding the payment. */
  account: string;
  amount: bigint;
  deadline: number;
  status: EscrowStatus;
  resultHash?: string;
  lineageLeaf?: string;
}

export interface PolicyState {
  taskId: string;
  holder: string;
  coverage: bigint;
  premium: bigint;
  status: "active" | "paid";
}

export interface AgentState {
  agentId: number;
  owner: string;
  blockNumber: number;
}

export interface UtidState {
  utid: string;
  agentId: number;
  item: number;
  manifestHash: string;
  cid: string;
  lineageRoot: string;
  version: number;
  parent: string | null;
}

export interface RootState {
  root: string;
  leafCount: number;
  anchorer: string;
  blockNumber: number;
  blockHash: string;
}

/** A change of Ainur state, as read from the chain. */
export interface AinurEvent {
  type:
    | "agent:registered"
    | "utid:registered"
    | "stake:bonded"
    | "stake:unbond-requested"
    | "stake:withdrawn"
    | "stake:slashed"
    | "escrow:opened"
    | "escrow:submitted"
    | "escrow:released"
    | "escrow:refunded"
    | "insurance:covered"
    | "insurance:claim-paid"
    | "credits:minted"
    | "credits:burned"
    | "root:anchored";
  blockNumber: number;
  blockHash: string;
  data: Record<string, string | number | null>;
}

export type AinurListener = (event: AinurEvent) => void;

function big(v: unknown): bigint {
  try {
    return BigInt(String(v));
  } catch {
    return -1n;
  }
}

function hasEvent(
  events: FlatEvent[],
  section: string,
  method: string,
  match: (data: string[]) => boolean,
): boolean {
  return events.some((e) => e.section === section && e.method === method && match(e.data));
}

export class AinurLedger {
  readonly api: ApiPromise;
  readonly deployment: AinurSubstrateDeployment;
  readonly agents = new Map<number, AgentState>();
  readonly utids = new Map<string, UtidState>();
  readonly stakes = new Map<string, StakeState>();
  readonly escrows = new Map<string, EscrowState>();
  readonly policies = new Map<string, PolicyState>();
  readonly roots = new Map<string, RootState>();
  readonly #listeners = new Set<AinurListener>();
  #synced: number;
  #syncing: Promise<void> | undefined;

  constructor(api: ApiPromise, deployment: AinurSubstrateDeployment) {
    this.api = api;
    this.deployment = deployment;
    this.#synced = deployment.startBlock - 1;
  }

  get syncedBlock(): number {
    return this.#synced;
  }

  subscribe(listener: AinurListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stakeOf(address: string): StakeState {
    return this.stakes.get(address) ?? { bonded: 0n, unbonding: 0n, unbondReadyAt: 0, slashed: 0n };
  }

  /** Read every block up to the head (one sync at a time). */
  sync(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const head = (await this.api.rpc.chain.getHeader()).number.toNumber();
    for (let n = this.#synced + 1; n <= head; n++) {
      const hash = (await this.api.rpc.chain.getBlockHash(n)).toHex();
      for (const record of await remarksInBlock(this.api, hash)) this.#apply(record);
      this.#synced = n;
    }
  }

  #emit(type: AinurEvent["type"], r: RemarkRecord, data: AinurEvent["data"]): void {
    const event: AinurEvent = { type, blockNumber: r.blockNumber, blockHash: r.blockHash, data };
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  #apply(r: RemarkRecord): void {
    const d = this.deployment;
    const p = r.payload;
    switch (p.t) {
      case "agent.register": {
        const agentId = Number(p.agentId);
        const issued = hasEvent(
          r.events,
          "uniques",
          "Issued",
          (x) => x[0] === String(agentId) && x[1] === "0" && x[2] === r.sender,
        );
        if (!issued || this.agents.has(agentId)) return;
        this.agents.set(agentId, { agentId, owner: r.sender, blockNumber: r.blockNumber });
        this.#emit("agent:registered", r, { agentId, owner: r.sender });
        return;
      }
      case "utid.register": {
        const agentId = Number(p.agentId);
        const item = Number(p.item);
        const issued = hasEvent(
          r.events,
          "uniques",
          "Issued",
          (x) => x[0] === String(agentId) && x[1] === String(item),
        );
        if (!issued || this.agents.get(agentId)?.owner !== r.sender) return;
        const utid = `${agentId}/${item}`;
        this.utids.set(utid, {
          utid,
          agentId,
          item,
          manifestHash: String(p.manifestHash),
          cid: String(p.cid),
          lineageRoot: String(p.lineageRoot),
          version: Number(p.version),
          parent: p.parent == null ? null : String(p.parent),
        });
        this.#emit("utid:registered", r, { utid, agentId, manifestHash: String(p.manifestHash) });
        return;
      }
      case "stake.bond": {
        const amount = big(p.amount);
        const paid = hasEvent(
          r.events,
          "assets",
          "Transferred",
          (x) =>
            x[0] === String(d.stakeAssetId) &&
            x[1] === r.sender &&
            x[2] === d.stakeVault &&
            big(x[3]) === amount,
        );
        if (!paid || amount <= 0n) return;
        const s = this.stakeOf(r.sender);
        this.stakes.set(r.sender, { ...s, bonded: s.bonded + amount });
        this.#emit("stake:bonded", r, { operator: r.sender, amount: amount.toString() });
        return;
      }
      case "stake.unbond": {
        const amount = big(p.amount);
        const s = this.stakeOf(r.sender);
        if (amount <= 0n || amount > s.bonded) return;
        const unbondReadyAt = r.timestamp + d.params.unbondDelayMs;
        this.stakes.set(r.sender, {
          ...s,
          bonded: s.bonded - amount,
          unbonding: s.unbonding + amount,
          unbondReadyAt,
        });
        this.#emit("stake:unbond-requested", r, {
          operator: r.sender,
          amount: amount.toString(),
          readyAt: unbondReadyAt,
        });
        return;
      }
      case "stake.withdrawn": {
        if (r.sender !== d.stakeVault) return;
        const operator = String(p.operator);
        const amount = big(p.amount);
        const s = this.stakeOf(operator);
        this.stakes.set(operator, { ...s, unbonding: s.unbonding - amount, unbondReadyAt: 0 });
        this.#emit("stake:withdrawn", r, { operator, amount: amount.toString() });
        return;
      }
      case "stake.slash": {
        if (r.sender !== d.stakeVault) return;
        const operator = String(p.operator);
        const amount = big(p.amount);
        const s = this.stakeOf(operator);
        const fromBonded = amount < s.bonded ? amount : s.bonded;
        this.stakes.set(operator, {
          bonded: s.bonded - fromBonded,
          unbonding: s.unbonding - (amount - fromBonded),
          unbondReadyAt: s.unbondReadyAt,
          slashed: s.slashed + amount,
        });
        this.#emit("stake:slashed", r, {
          operator,
          amount: amount.toString(),
          reason: String(p.reason ?? ""),
        });
        return;
      }
      case "escrow.open": {
        const taskId = String(p.task);
        const amount = big(p.amount);
        const account = String(p.account);
        const paid = hasEvent(
          r.events,
          "balances",
          "Transfer",
          (x) => x[0] === r.sender && x[1] === account && big(x[2]) === amount,
        );
        if (!paid || this.escrows.has(taskId)) return;
        this.escrows.set(taskId, {
          taskId,
          requester: r.sender,
          agent: String(p.agent),
          arbiter: String(p.arbiter),
          account,
          amount,
          deadline: Number(p.deadline),
          status: "open",
        });
        this.#emit("escrow:opened", r, {
          taskId,
          requester: r.sender,
          agent: String(p.agent),
          amount: amount.toString(),
        });
        return;
      }
      case "escrow.result": {
        const e = this.escrows.get(String(p.task));
        if (!e || e.agent !== r.sender || e.status !== "open") return;
        e.status = "submitted";
        e.resultHash = String(p.resultHash);
        e.lineageLeaf = String(p.lineageLeaf);
        this.#emit("escrow:submitted", r, { taskId: e.taskId, agent: e.agent, resultHash: e.resultHash });
        return;
      }
      case "escrow.released":
      case "escrow.refunded": {
        const e = this.escrows.get(String(p.task));
        if (!e || r.sender !== e.account || e.status === "released" || e.status === "refunded") return;
        e.status = p.t === "escrow.released" ? "released" : "refunded";
        this.#emit(p.t === "escrow.released" ? "escrow:released" : "escrow:refunded", r, {
          taskId: e.taskId,
          amount: e.amount.toString(),
        });
        return;
      }
      case "insurance.cover": {
        const taskId = String(p.task);
        const premium = big(p.premium);
        const paid = hasEvent(
          r.events,
          "balances",
          "Transfer",
          (x) => x[0] === r.sender && x[1] === d.insurancePool && big(x[2]) === premium,
        );
        if (!paid || this.policies.has(taskId)) return;
        this.policies.set(taskId, {
          taskId,
          holder: r.sender,
          coverage: big(p.coverage),
          premium,
          status: "active",
        });
        this.#emit("insurance:covered", r, { taskId, holder: r.sender, coverage: String(p.coverage) });
        return;
      }
      case "insurance.claimPaid": {
        const policy = this.policies.get(String(p.task));
        if (!policy || r.sender !== d.insurancePool || policy.status !== "active") return;
        policy.status = "paid";
        this.#emit("insurance:claim-paid", r, {
          taskId: policy.taskId,
          holder: policy.holder,
          amount: policy.coverage.toString(),
        });
        return;
      }
      case "credits.mint":
      case "credits.burn": {
        if (r.sender !== d.creditIssuer) return;
        const ok = hasEvent(
          r.events,
          "assets",
          p.t === "credits.mint" ? "Issued" : "Burned",
          (x) => x[0] === String(d.creditAssetId),
        );
        if (!ok) return;
        this.#emit(p.t === "credits.mint" ? "credits:minted" : "credits:burned", r, {
          account: String(p.account),
          amount: String(p.amount),
          reason: String(p.reason),
        });
        return;
      }
      case "root.anchor": {
        // As on EVM (LineageRegistry asks ReputationStaking), only an agent staked at the minimum anchors.
        const root = String(p.root);
        if (this.roots.has(root) || this.stakeOf(r.sender).bonded < d.params.minimumStake) return;
        const state: RootState = {
          root,
          leafCount: Number(p.leafCount),
          anchorer: r.sender,
          blockNumber: r.blockNumber,
          blockHash: r.blockHash,
        };
        this.roots.set(root, state);
        this.#emit("root:anchored", r, { root, leafCount: state.leafCount, anchorer: r.sender });
        return;
      }
      default:
        return;
    }
  }
}
