/**
 * A requester node: posts tasks (escrow first), runs the auction with `market/`'s `Auctioneer`
 * (a call for proposals with the task's zones on the capability's gossip topic, sealed bids back
 * over request-response, second-price clearing with the budget as the reserve, the EIP-712 award
 * that TaskEscrow takes), submits that award on-chain, orders the winner to execute, checks the returned lineage commitment, commits and anchors it, proves the
 * record's inclusion and has the LineageRegistry verify the proof in a transaction, then accepts
 * the result (releasing the escrow and raising the agent's reputation).
 *
 * Its `marketAdapter()` is an execution adapter: a workflow task with `agent: "market"` is carried
 * through all of the above, so DAG workflows run on the durable runner from execution/.
 */
import { Auctioneer, MAX_PRICE } from "../market/index.ts";
import type { ClearingOutcome, OpenedBid } from "../market/index.ts";
import { capabilityTopic } from "../transport/index.ts";
import type { Transport } from "../transport/index.ts";
import type { TaskEventBus } from "../api/index.ts";
import type { AgentAdapter, AgentRequest } from "../execution/index.ts";
import type { Json } from "../storage/index.ts";
import type { LineageService, StoredRecord } from "../lineage/lineage.ts";
import { verifyProofFile, solidityProof } from "../lineage/proof-file.ts";
import type { ProofFile, Verdict } from "../lineage/proof-file.ts";
import { EvmChain, taskKey as keyOf } from "../chain/evm/index.ts";
import { MAX_UINT256, formatAmount, parseAmount } from "../chain/units.ts";
import type { ChainAdapter } from "../chain/index.ts";
import { parseDid } from "../identity/index.ts";
import type { AgentKeys } from "../identity/index.ts";
import { EVM_PRICE_UNIT } from "./bidding.ts";
import { contentId } from "./content.ts";
import {
  accountDidResolver,
  DEVNET_PROTOCOLS,
  ExecuteReply,
  MESSAGE_TYPES,
  signMessage,
} from "./protocol.ts";
import type { ExecuteOrder } from "./protocol.ts";

/** Kept for the Substrate devnet's in-process auction (devnet/substrate.ts imports it from here). */

export interface RequesterComponents {
  adapter: ChainAdapter;
  chain: EvmChain;
  transport: Transport;
  lineage: LineageService;
  events?: TaskEventBus;
  /** The account key as a message identity (protocol.ts's `nodeKeys`): signs CFPs, awards and orders. */
  keys: AgentKeys;
}

export interface RequesterInit {
  /** How long bids are collected after the call for proposals (default 800 ms). */
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

/** A bid as the requester opened it after the auction (amounts in base units). */
export interface BidSeen {
  /** The address paid. */
  agent: string;
  /** The registry DID the agent works as (its bid's profile), else the DID it signed with. */
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
  /** The award `TaskEscrow` took: EIP-712 by this requester over (taskKey, winner, price). */
  award?: { agent: string; price: string; signature: string };
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

/** The agent's registry DID must belong to the award's address: `did:ainur:<chainId>:<agentId>` owned by it. */
export class WinnerIdentityError extends Error {
  override name = "WinnerIdentityError";
  readonly taskId: string;
  readonly did: string;
  readonly agent: string;
  constructor(taskId: string, did: string, agent: string, owner: string | undefined) {
    super(
      `The winner of ${taskId} bid as ${did}, but the registry ${owner === undefined ? "does not know that agent" : `says ${owner} owns it`}, not the award's address ${agent}; the task is cancelled.`,
    );
    this.taskId = taskId;
    this.did = did;
    this.agent = agent;
  }
}

export class RequesterNode {
  private readonly c: RequesterComponents;
  private readonly init: Required<Omit<RequesterInit, "anchorStake">> & { anchorStake?: bigint };
  #auctioneer: Auctioneer | undefined;
  /** Outcomes by task id, newest last: what the explorer and the summary read. */
  readonly outcomes = new Map<string, TaskOutcome>();

  constructor(components: RequesterComponents, init: RequesterInit = {}) {
    this.c = components;
    this.init = { bidWindowMs: 800, ...init };
  }

  /** The market's auctioneer this node runs its auctions with (after `start()`). */
  get auctioneer(): Auctioneer {
    if (this.#auctioneer === undefined)
      throw new Error("The requester node is not started: call start() first.");
    return this.#auctioneer;
  }

  /** Bids refused, by reason (market's `Auctioneer.dropped`). */
  get rejectedBids(): Readonly<Record<string, number>> {
    return this.#auctioneer?.dropped ?? {};
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
    // Awards are EIP-712 for TaskEscrow; CFP and award envelopes are signed by the same account key.
    this.#auctioneer = new Auctioneer(
      {
        escrow: {
          chainId: Number(await chain.chainId()),
          verifyingContract: escrow,
          priceUnit: EVM_PRICE_UNIT,
        },
        alg: "eip712",
      },
      { keys: this.c.keys, resolver: accountDidResolver, transport: this.c.transport },
    );
    await this.#auctioneer.start();
  }

  async stop(): Promise<void> {
    await this.#auctioneer?.stop();
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
    const auctioneer = this.auctioneer;
    const inputs = [await contentId(task.input)];
    const reserve = task.budget / EVM_PRICE_UNIT;
    const { cfp } = await auctioneer.announce({
      cfpId: key.toLowerCase(),
      capability: task.capability,
      subtasks: [task.capability],
      mechanism: "vickrey",
      reserve: Number(reserve > BigInt(MAX_PRICE) ? BigInt(MAX_PRICE) : reserve),
      deadline: Date.now() + this.init.bidWindowMs,
      taskDeadline: now + (task.deadlineSeconds ?? 600),
      inputs,
      zones: task.zones,
    });
    const expected = this.c.transport.subscribers(topic).length;
    this.publish(task.taskId, "task:bidding", { invited: expected });
    // Every subscriber may bid; agents outside the zones or without the capability stay out, so
    // the window runs out unless all of them did.
    while (Date.now() < cfp.deadline && auctioneer.bidCount(cfp.cfpId) < expected)
      await new Promise((r) => setTimeout(r, 20));
    const cleared: ClearingOutcome = await auctioneer.close(cfp.cfpId);
    outcome.bids = cleared.opened.map((b) => bidSeen(b, EVM_PRICE_UNIT));
    const won = cleared.winners[0];
    if (won === undefined) {
      await this.refund(key, outcome);
      outcome.error = `no valid bid under the budget from ${expected} invited agents (${cleared.bids} bids)`;
      this.publish(task.taskId, "task:failed", { error: outcome.error });
      throw new AuctionFailedError(task.taskId, outcome.error);
    }
    const winner = outcome.bids[cleared.opened.findIndex((b) => b.bidder === won.bidder)]!;
    const award = won.award.escrow;
    const price = BigInt(award.price);
    outcome.winner = winner;
    outcome.price = award.price;
    outcome.award = { agent: award.agent, price: award.price, signature: award.signature };
    // The lineage record names the winner's registry DID: check that the award's address owns it.
    const owner = await this.ownerOf(winner.did);
    if (owner?.toLowerCase() !== award.agent.toLowerCase()) {
      await this.refund(key, outcome);
      outcome.error = new WinnerIdentityError(task.taskId, winner.did, award.agent, owner).message;
      this.publish(task.taskId, "task:failed", { error: outcome.error });
      throw new AuctionFailedError(task.taskId, outcome.error);
    }
    outcome.txs.award = (
      await chain.send("TaskEscrow", "award", key, award.agent, price, award.signature)
    ).hash;
    outcome.timings.awardedAt = Date.now();
    this.publish(task.taskId, "task:awarded", {
      agent: winner.did,
      price: formatAmount(price),
      bid: formatAmount(BigInt(winner.price)),
      bids: outcome.bids.length,
    });
    if (task.insure === true) {
      outcome.txs.buyCover = (await chain.send("InsurancePool", "buyCover", key, price, price)).hash;
      outcome.insured = true;
    }

    // Execution on the winner.
    const expiry = Date.now() + 120_000;
    const order: ExecuteOrder = {
      v: 1,
      type: "execute",
      taskId: task.taskId,
      taskKey: key,
      capability: task.capability,
      input: task.input,
      inputs,
      parentCommitment: (task.parentCommitment ?? 0n).toString(),
      price: award.price,
      requester: chain.address,
    };
    this.publish(task.taskId, "task:executing", { agent: winner.did });
    let reply: ExecuteReply;
    try {
      const bytes = await this.c.transport.request(
        won.peer,
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
      this.publish(task.taskId, "task:failed", { agent: winner.did, error: outcome.error });
      throw new ExecutionFailedError(outcome);
    }
    outcome.output = reply.output as Json;
    outcome.outputId = reply.outputId!;
    outcome.txs.submitResult = reply.resultTx ?? "";

    // Lineage: the same record the agent committed to, then anchored.
    const stored: StoredRecord = this.c.lineage.commitExecution({
      taskId: task.taskId,
      agentDid: winner.did,
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
      agent: winner.did,
      price: formatAmount(price),
      outputId: outcome.outputId,
      verified: outcome.verdict?.valid ?? null,
    });
    return outcome;
  }

  /** Verifies a proof file in JS, then on-chain with LineageRegistry.auditLineage (a transaction that records the audit). */
  async audit(file: ProofFile): Promise<Verdict> {
    return verifyProofFile(file, { onChain: (f) => onChainCheck(this.c.chain, f, true) });
  }

  /** The address that owns a registry DID (`did:ainur:<chainId>:<agentId>`), if the registry knows it. */
  private async ownerOf(did: string): Promise<string | undefined> {
    const { id } = parseDid(did);
    if (!/^[0-9]+$/.test(id)) return undefined;
    return (await this.c.adapter.getAgent(id))?.owner;
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

/** A bid opened by the auctioneer, in the node's terms (base units; the profile's DID and strategy). */
function bidSeen(b: OpenedBid, priceUnit: bigint): BidSeen {
  const asks = b.content.bids.map((x) => x.price);
  return {
    agent: b.content.payTo,
    did: b.content.profile?.agentDid ?? b.bidder,
    price: (BigInt(Math.min(...asks)) * priceUnit).toString(),
    strategy: b.content.profile?.strategy ?? "unknown",
    zones: b.zones ?? [],
  };
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
