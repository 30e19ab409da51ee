/**
 * A requester node: posts tasks (escrow first), runs the auction (calls for proposals on gossip,
 * signed bids back over request-response, second-price clearing), awards on-chain, orders the
 * winner to execute, checks the returned lineage commitment, commits and anchors it, proves the
 * record's inclusion and has the LineageRegistry verify the proof in a transaction, then accepts
 * the result (releasing the escrow and raising the agent's reputation).
 *
 * Its `marketAdapter()` is an execution adapter: a workflow task with `agent: "market"` is carried
 * through all of the above, so DAG workflows run on the durable runner from execution/.
 */
import { clearVickrey } from "../market/index.ts";
import { capabilityTopic } from "../transport/index.ts";
import type { Transport } from "../transport/index.ts";
import type { TaskEventBus } from "../api/index.ts";
import type { AgentAdapter, AgentRequest } from "../execution/index.ts";
import type { Json } from "../storage/index.ts";
import { assertRoutable } from "../routing/index.ts";
import type { LineageService, StoredRecord } from "../lineage/lineage.ts";
import { verifyProofFile, solidityProof } from "../lineage/proof-file.ts";
import type { ProofFile, Verdict } from "../lineage/proof-file.ts";
import { EvmChain, taskKey as keyOf } from "../chain/evm/index.ts";
import { MAX_UINT256, formatAmount, parseAmount } from "../chain/units.ts";
import type { ChainAdapter } from "../chain/index.ts";
import { contentId } from "./content.ts";
import {
  Bid,
  CallForProposals,
  DEVNET_PROTOCOLS,
  ExecuteReply,
  MESSAGE_TYPES,
  openMessage,
  signMessage,
} from "./protocol.ts";
import type { AgentKeys, EnvelopeVerifier } from "../identity/index.ts";
import type { ExecuteOrder } from "./protocol.ts";

export interface RequesterComponents {
  adapter: ChainAdapter;
  chain: EvmChain;
  transport: Transport;
  lineage: LineageService;
  events?: TaskEventBus;
  /** The account key as a message identity (protocol.ts's `nodeKeys`). */
  keys: AgentKeys;
  /** Opens agents' bids (protocol.ts's `createMessageVerifier`). */
  verifier: EnvelopeVerifier;
}

export interface RequesterInit {
  /** How long bids are collected after the call for proposals (default 400 ms). */
  bidWindowMs?: number;
  /** Stake bonded so this node may anchor lineage roots (default: twice the minimum stake). */
  anchorStake?: bigint;
}

export interface PostTask {
  taskId: string;
  capability: string;
  input: Json;
  budget: bigint;
  zones: string[];
  /** Commitment of the parent record (a DAG parent), 0 for none. */
  parentCommitment?: bigint;
  /** Buy insurance cover for the price. */
  insure?: boolean;
  /** Escrow deadline, seconds from now (default 600). */
  deadlineSeconds?: number;
  /** Prove and audit on-chain (default true). */
  prove?: boolean;
}

export interface BidSeen {
  agent: string;
  did: string;
  price: string;
  strategy: string;
  zones: string[];
}

export interface TaskOutcome {
  taskId: string;
  taskKey: string;
  capability: string;
  status: "completed" | "failed";
  error?: string;
  bids: BidSeen[];
  winner?: BidSeen;
  /** What the winner is paid: the second-lowest bid (or the budget when it was alone). */
  price?: string;
  output?: Json;
  outputId?: string;
  commitment?: string;
  leafIndex?: number;
  root?: string;
  anchorBlock?: number;
  proof?: ProofFile;
  verdict?: Verdict;
  insured?: boolean;
  timings: {
    postedAt: number;
    awardedAt?: number;
    executedAt?: number;
    anchoredAt?: number;
    provedAt?: number;
    doneAt?: number;
  };
  txs: Record<string, string>;
}

export class AuctionFailedError extends Error {
  override name = "AuctionFailedError";
  readonly taskId: string;
  constructor(taskId: string, detail: string) {
    super(`The auction for ${taskId} found no winner: ${detail}`);
    this.taskId = taskId;
  }
}

export class ExecutionFailedError extends Error {
  override name = "ExecutionFailedError";
  readonly outcome: TaskOutcome;
  constructor(outcome: TaskOutcome) {
    super(`Task ${outcome.taskId} failed: ${outcome.error}`);
    this.outcome = outcome;
  }
}

/** Prices go to market/'s clearing in micro-AINUR (safe integers); bids are multiples of 10^12 wei. */
const MICRO = 10n ** 12n;

/**
 * Second-price clearing with market/'s `clearVickrey`: the lowest ask at or under the reserve (the
 * budget) wins, ties broken by a hash of the task and the bidder, and the winner is paid the
 * second-lowest ask (the reserve when it is alone).
 */
export function clearSecondPrice(
  taskKey: string,
  bids: readonly BidSeen[],
  reserve: bigint,
): { winner: BidSeen; price: bigint } | undefined {
  const asks = bids.map((b) => ({ bidder: b.agent, price: Number(BigInt(b.price) / MICRO) }));
  const result = clearVickrey(asks, Number(reserve / MICRO), taskKey);
  if (result.winner === undefined || result.payment === undefined) return undefined;
  return { winner: bids.find((b) => b.agent === result.winner)!, price: BigInt(result.payment) * MICRO };
}

export class RequesterNode {
  private readonly c: RequesterComponents;
  private readonly init: Required<Omit<RequesterInit, "anchorStake">> & { anchorStake?: bigint };
  private readonly open = new Map<string, { bids: Map<string, Bid>; zones: string[]; budget: bigint }>();
  /** Outcomes by task id, newest last: what the explorer and the summary read. */
  readonly outcomes = new Map<string, TaskOutcome>();
  readonly rejectedBids: Record<string, number> = {};

  constructor(components: RequesterComponents, init: RequesterInit = {}) {
    this.c = components;
    this.init = { bidWindowMs: 400, ...init };
  }

  async start(): Promise<void> {
    const chain = this.c.chain;
    const token = "AinurToken";
    const escrow = chain.deployments.contracts.TaskEscrow!.address;
    const pool = chain.deployments.contracts.InsurancePool!.address;
    const staking = chain.deployments.contracts.ReputationStaking!.address;
    if ((await chain.call<bigint>(token, "allowance", chain.address, escrow)) < parseAmount("1000000")) {
      await chain.send(token, "approve", escrow, MAX_UINT256);
      await chain.send(token, "approve", pool, MAX_UINT256);
      await chain.send(token, "approve", staking, MAX_UINT256);
    }
    const minimum = await chain.call<bigint>("ReputationStaking", "minimumStake");
    // Twice the minimum, so a governance raise of the minimum does not take the anchoring right away.
    const want = this.init.anchorStake ?? minimum * 2n;
    const info = await chain.call<{ bonded: bigint }>("ReputationStaking", "stakeOf", chain.address);
    // Anchorers must be staked: bond the minimum (the adapter approves the stake first).
    if (info.bonded < want) await this.c.adapter.bond(want - info.bonded);
    await this.c.transport.handle(DEVNET_PROTOCOLS.bid, (bytes) => {
      this.onBid(bytes);
      return new Uint8Array([1]);
    });
  }

  async stop(): Promise<void> {
    await this.c.transport.unhandle(DEVNET_PROTOCOLS.bid).catch(() => undefined);
  }

  private onBid(bytes: Uint8Array): void {
    let bid: Bid;
    try {
      bid = openMessage(this.c.verifier, bytes, MESSAGE_TYPES.bid, Bid, (b) => b.agent).body;
    } catch (error) {
      const kind = (error as { reason?: string }).reason ?? "error";
      this.rejectedBids[kind] = (this.rejectedBids[kind] ?? 0) + 1;
      throw error;
    }
    const auction = this.open.get(bid.taskKey);
    if (auction === undefined) {
      this.rejectedBids.late = (this.rejectedBids.late ?? 0) + 1;
      throw new Error(`no open auction for ${bid.taskKey}: the bid came late`);
    }
    assertRoutable(bid.did, bid.zones, auction.zones);
    if (BigInt(bid.price) > auction.budget) throw new Error(`the bid ${bid.price} exceeds the budget`);
    auction.bids.set(bid.agent.toLowerCase(), bid);
  }

  private publish(taskId: string, type: Parameters<TaskEventBus["publish"]>[1], data: Json): void {
    this.c.events?.publish(taskId, type, data);
  }

  /** Carries one task through auction, escrow, execution, anchoring, proof and acceptance. */
  async runTask(task: PostTask): Promise<TaskOutcome> {
    const chain = this.c.chain;
    const key = keyOf(task.taskId);
    const outcome: TaskOutcome = {
      taskId: task.taskId,
      taskKey: key,
      capability: task.capability,
      status: "failed",
      bids: [],
      timings: { postedAt: Date.now() },
      txs: {},
    };
    this.outcomes.set(task.taskId, outcome);
    const now = await chain.timestamp();
    const created = await chain.send(
      "TaskEscrow",
      "createTask",
      key,
      task.budget,
      now + (task.deadlineSeconds ?? 600),
      3_600,
      false,
    );
    outcome.txs.createTask = created.hash;
    this.publish(task.taskId, "task:routed", {
      capability: task.capability,
      budget: formatAmount(task.budget),
      zones: task.zones,
    });

    // The auction.
    const topic = capabilityTopic(task.capability);
    try {
      await this.c.transport.waitForSubscribers(topic, 1, 10_000);
    } catch (error) {
      await this.refund(key, outcome).catch(() => undefined);
      outcome.error = `no agent serves ${task.capability}: ${(error as Error).message} (${this.c.transport.connectedPeers().length} peers connected, ${this.c.transport.subscribers(topic).length} subscribed)`;
      this.publish(task.taskId, "task:failed", { error: outcome.error });
      throw new AuctionFailedError(task.taskId, outcome.error);
    }
    const auction = { bids: new Map<string, Bid>(), zones: task.zones, budget: task.budget };
    this.open.set(key, auction);
    const expiry = Date.now() + 120_000;
    const cfp: CallForProposals = {
      v: 1,
      type: "cfp",
      taskId: task.taskId,
      taskKey: key,
      capability: task.capability,
      budget: task.budget.toString(),
      zones: task.zones,
      bidDeadline: Date.now() + this.init.bidWindowMs,
      requester: chain.address,
      requesterPeer: this.c.transport.peerId,
    };
    const expected = this.c.transport.subscribers(topic).length;
    await this.c.transport.publish(topic, signMessage(this.c.keys, MESSAGE_TYPES.cfp, cfp, expiry));
    this.publish(task.taskId, "task:bidding", { invited: expected });
    const deadline = Date.now() + this.init.bidWindowMs;
    while (Date.now() < deadline && auction.bids.size < expected) await new Promise((r) => setTimeout(r, 20));
    this.open.delete(key);
    outcome.bids = [...auction.bids.values()].map((b) => ({
      agent: b.agent,
      did: b.did,
      price: b.price,
      strategy: b.strategy,
      zones: b.zones,
    }));
    const cleared = clearSecondPrice(key, outcome.bids, task.budget);
    if (cleared === undefined) {
      await this.refund(key, outcome);
      outcome.error = `no valid bid from ${expected} invited agents`;
      this.publish(task.taskId, "task:failed", { error: outcome.error });
      throw new AuctionFailedError(task.taskId, outcome.error);
    }
    outcome.winner = cleared.winner;
    outcome.price = cleared.price.toString();
    const winnerBid = auction.bids.get(cleared.winner.agent.toLowerCase())!;
    const awardSig = await chain.signAward(key, cleared.winner.agent, cleared.price);
    outcome.txs.award = (
      await chain.send("TaskEscrow", "award", key, cleared.winner.agent, cleared.price, awardSig)
    ).hash;
    outcome.timings.awardedAt = Date.now();
    this.publish(task.taskId, "task:awarded", {
      agent: cleared.winner.did,
      price: formatAmount(cleared.price),
      bid: formatAmount(BigInt(cleared.winner.price)),
      bids: outcome.bids.length,
    });
    if (task.insure === true) {
      outcome.txs.buyCover = (
        await chain.send("InsurancePool", "buyCover", key, cleared.price, cleared.price)
      ).hash;
      outcome.insured = true;
    }

    // Execution on the winner.
    const inputs = [await contentId(task.input)];
    const order: ExecuteOrder = {
      v: 1,
      type: "execute",
      taskId: task.taskId,
      taskKey: key,
      capability: task.capability,
      input: task.input,
      inputs,
      parentCommitment: (task.parentCommitment ?? 0n).toString(),
      price: cleared.price.toString(),
      requester: chain.address,
    };
    this.publish(task.taskId, "task:executing", { agent: cleared.winner.did });
    let reply: ExecuteReply;
    try {
      const bytes = await this.c.transport.request(
        winnerBid.agentPeer,
        DEVNET_PROTOCOLS.execute,
        signMessage(this.c.keys, MESSAGE_TYPES.execute, order, expiry),
        { timeoutMs: 60_000 },
      );
      reply = ExecuteReply.parse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch (error) {
      reply = { ok: false, error: (error as Error).message };
    }
    outcome.timings.executedAt = Date.now();
    if (!reply.ok) {
      outcome.error = reply.error ?? "the agent did not answer";
      this.publish(task.taskId, "task:failed", { agent: cleared.winner.did, error: outcome.error });
      throw new ExecutionFailedError(outcome);
    }
    outcome.output = reply.output as Json;
    outcome.outputId = reply.outputId!;
    outcome.txs.submitResult = reply.resultTx ?? "";

    // Lineage: the same record the agent committed to, then anchored.
    const stored: StoredRecord = this.c.lineage.commitExecution({
      taskId: task.taskId,
      agentDid: cleared.winner.did,
      inputs,
      output: reply.outputId!,
      parentCommitment: task.parentCommitment ?? 0n,
      completedAt: reply.completedAt!,
    });
    if (stored.commitment.toString() !== reply.commitment) {
      outcome.error = `the agent's lineage leaf ${reply.commitment} does not match the record ${stored.commitment}`;
      this.publish(task.taskId, "task:failed", { error: outcome.error });
      throw new ExecutionFailedError(outcome);
    }
    outcome.commitment = stored.commitment.toString();
    outcome.leafIndex = stored.index;
    let anchor = await this.c.lineage.anchorNow();
    while (anchor === undefined || anchor.leafCount <= stored.index)
      anchor = await this.c.lineage.anchorNow();
    outcome.root = "0x" + anchor.root.toString(16).padStart(64, "0");
    outcome.anchorBlock = anchor.receipt.blockNumber;
    outcome.timings.anchoredAt = Date.now();
    this.publish(task.taskId, "task:anchored", {
      root: outcome.root,
      leaf: stored.index,
      block: anchor.receipt.blockNumber ?? null,
    });

    if (task.prove !== false) {
      const file = await this.c.lineage.prove(stored.index);
      outcome.proof = file;
      outcome.verdict = await this.audit(file);
      outcome.timings.provedAt = Date.now();
      if (!outcome.verdict.valid) {
        outcome.error = `the lineage proof was rejected: ${outcome.verdict.reasons.join("; ")}`;
        this.publish(task.taskId, "task:failed", { error: outcome.error });
        throw new ExecutionFailedError(outcome);
      }
    }

    outcome.txs.accept = (await chain.send("TaskEscrow", "accept", key, 5)).hash;
    outcome.status = "completed";
    outcome.timings.doneAt = Date.now();
    this.publish(task.taskId, "task:completed", {
      agent: cleared.winner.did,
      price: formatAmount(cleared.price),
      outputId: outcome.outputId,
      verified: outcome.verdict?.valid ?? null,
    });
    return outcome;
  }

  /** Verifies a proof file in JS, then on-chain with LineageRegistry.auditLineage (a transaction that records the audit). */
  async audit(file: ProofFile): Promise<Verdict> {
    return verifyProofFile(file, { onChain: (f) => onChainCheck(this.c.chain, f, true) });
  }

  private async refund(key: string, outcome: TaskOutcome): Promise<void> {
    outcome.txs.cancel = (await this.c.chain.send("TaskEscrow", "cancel", key)).hash;
  }

  /** An execution adapter: workflow tasks with `agent: "market"` go through the auction. */
  marketAdapter(defaults: { budget: bigint; zones: string[] }): AgentAdapter {
    return {
      name: "market",
      invoke: async (request: AgentRequest): Promise<Json> => {
        const input = (request.input ?? {}) as Record<string, Json>;
        const { parent, ...rest } = input;
        const outcome = await this.runTask({
          taskId: request.idempotencyKey,
          capability: request.capability ?? "text.echo",
          input: rest,
          budget: defaults.budget,
          zones: defaults.zones,
          parentCommitment: typeof parent === "string" ? BigInt(parent) : 0n,
        });
        return {
          result: outcome.output ?? null,
          commitment: outcome.commitment!,
          agent: outcome.winner!.did,
          price: outcome.price!,
          root: outcome.root!,
        };
      },
    };
  }
}

/**
 * What the LineageRegistry says about a proof file: the anchor of its root, and whether its
 * verifier accepts the proof (as a view, or with `audit` as a transaction that records the audit).
 */
export async function onChainCheck(
  chain: EvmChain,
  file: ProofFile,
  audit: boolean,
): Promise<{ anchor: { blockNumber: number; leafCount: number; anchorer: string } | null; valid?: boolean }> {
  const root = BigInt(file.root);
  const anchored = await chain.call<boolean>("LineageRegistry", "isAnchored", root);
  if (!anchored) return { anchor: null };
  const a = await chain.call<{ blockNumber: bigint; leafCount: bigint; anchorer: string }>(
    "LineageRegistry",
    "anchorOf",
    root,
  );
  const anchor = { blockNumber: Number(a.blockNumber), leafCount: Number(a.leafCount), anchorer: a.anchorer };
  const p = solidityProof(file.proof);
  const r = file.records[0]!;
  if (file.circuit !== "lineage20") {
    return {
      anchor,
      valid: await chain.call<boolean>(
        "LineageRegistry",
        "verifyLineageBatch",
        p,
        root,
        file.records.map((x) => BigInt(x.outputHash)),
        file.records.map((x) => BigInt(x.agentDidHash)),
      ),
    };
  }
  const valid = await chain.call<boolean>(
    "LineageRegistry",
    "verifyLineage",
    p,
    root,
    BigInt(r.outputHash),
    BigInt(r.agentDidHash),
  );
  if (valid && audit)
    await chain.send(
      "LineageRegistry",
      "auditLineage",
      p,
      root,
      BigInt(r.outputHash),
      BigInt(r.agentDidHash),
    );
  return { anchor, valid };
}
