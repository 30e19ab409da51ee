/**
 * An agent node: registers its DID and keeps its stake bonded, listens for calls for proposals on
 * its capabilities' topics, bids with its strategy, and runs the tasks it wins with a built-in agent
 * (execution/), submitting the result and its lineage leaf to the escrow.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildPoseidon } from "circomlibjs";
import type { Poseidon } from "circomlibjs";
import { capabilityTopic } from "../transport/index.ts";
import type { Transport } from "../transport/index.ts";
import { AdapterRegistry, builtinAgents } from "../execution/index.ts";
import type { Json } from "../storage/index.ts";
import { zonesIntersect } from "../routing/index.ts";
import { commitRecord, recordFromExecution } from "../lineage/record.ts";
import { toHex32 } from "../lineage/field.ts";
import { EvmChain, TASK_STATUS } from "../chain/evm/index.ts";
import { formatAmount, parseAmount } from "../chain/units.ts";
import type { ChainAdapter } from "../chain/index.ts";
import type { NodeConfig } from "./config.ts";
import { agentFor } from "./capabilities.ts";
import { contentId, digestOf } from "./content.ts";
import { BidPricer } from "./bidding.ts";
import {
  Bid,
  CallForProposals,
  DEVNET_PROTOCOLS,
  ExecuteOrder,
  MESSAGE_TYPES,
  MessageRejectedError,
  openMessage,
  signMessage,
} from "./protocol.ts";
import type { AgentKeys, EnvelopeVerifier } from "../identity/index.ts";
import type { ExecuteReply } from "./protocol.ts";

export interface AgentNodeComponents {
  adapter: ChainAdapter;
  chain: EvmChain;
  transport: Transport;
  /** The account key as a message identity (protocol.ts's `nodeKeys`). */
  keys: AgentKeys;
  /** Opens the requester's CFPs and orders (protocol.ts's `createMessageVerifier`). */
  verifier: EnvelopeVerifier;
}

export interface AgentState {
  agentId: string;
  did: string;
}

export interface AgentNodeStats {
  cfpsSeen: number;
  bidsSent: number;
  tasksRun: number;
  tasksFailed: number;
  rejected: Record<string, number>;
}

export class InjectedFailureError extends Error {
  override name = "InjectedFailureError";
  constructor(capability: string) {
    super(`this agent is configured to fail "${capability}" tasks (the devnet's injected failure)`);
  }
}

export class AgentNode {
  readonly config: NodeConfig;
  private readonly c: AgentNodeComponents;
  private readonly strategy: BidPricer;
  private readonly adapters = new AdapterRegistry(builtinAgents());
  private poseidon: Poseidon | undefined;
  private queue = 0;
  state: AgentState | undefined;
  readonly stats: AgentNodeStats = { cfpsSeen: 0, bidsSent: 0, tasksRun: 0, tasksFailed: 0, rejected: {} };
  private readonly log: (line: string) => void;

  constructor(components: AgentNodeComponents, config: NodeConfig, log: (line: string) => void = () => {}) {
    this.c = components;
    this.config = config;
    const a = config.agent!;
    this.strategy = new BidPricer({
      name: a.strategy.name,
      floor: parseAmount(a.strategy.floor),
      ...(a.strategy.bps === undefined ? {} : { bps: a.strategy.bps }),
    });
    this.log = log;
  }

  async start(): Promise<void> {
    this.poseidon = await buildPoseidon();
    this.state = await this.ensureRegistered();
    await this.ensureStaked();
    const t = this.c.transport;
    await t.handle(DEVNET_PROTOCOLS.execute, (bytes) => this.onExecute(bytes));
    await t.handle(DEVNET_PROTOCOLS.info, () =>
      new TextEncoder().encode(
        JSON.stringify({ ...this.state, address: this.c.chain.address, stats: this.stats }),
      ),
    );
    for (const capability of this.config.agent!.capabilities) {
      t.subscribe(capabilityTopic(capability), (data) => {
        try {
          const { body: cfp, expiry } = openMessage(
            this.c.verifier,
            data,
            MESSAGE_TYPES.cfp,
            CallForProposals,
            (b) => b.requester,
          );
          this.stats.cfpsSeen++;
          void this.bid(cfp, expiry).catch((error: Error) =>
            this.log(`bid for ${cfp.taskId} failed: ${error.message}`),
          );
          return "accept";
        } catch (error) {
          // Another message type on a shared capability topic is not this handler's to judge.
          if (error instanceof MessageRejectedError && error.otherType !== undefined) return "ignore";
          const kind = error instanceof MessageRejectedError ? error.reason : "error";
          this.stats.rejected[kind] = (this.stats.rejected[kind] ?? 0) + 1;
          return kind === "replayed" ? "ignore" : "reject";
        }
      });
    }
  }

  async stop(): Promise<void> {
    const t = this.c.transport;
    for (const capability of this.config.agent!.capabilities) t.unsubscribe(capabilityTopic(capability));
    await t.unhandle(DEVNET_PROTOCOLS.execute).catch(() => undefined);
    await t.unhandle(DEVNET_PROTOCOLS.info).catch(() => undefined);
  }

  private debug(line: string): void {
    if (process.env.AINUR_DEBUG) this.log(`debug: ${line}`);
  }

  private stateFile(): string {
    return path.join(this.config.dataDir, "agent-state.json");
  }

  /** Registers the agent's DID once; a restart reuses the stored agent id if the chain still knows it. */
  private async ensureRegistered(): Promise<AgentState> {
    const chain = this.c.chain;
    const stored = await readFile(this.stateFile(), "utf8")
      .then((t) => JSON.parse(t) as AgentState)
      .catch(() => undefined);
    if (stored !== undefined) {
      const owner = await chain
        .call<string>("AgentRegistry", "ownerOf", stored.agentId)
        .catch(() => undefined);
      if (owner?.toLowerCase() === chain.address.toLowerCase()) return stored;
    }
    const a = this.config.agent!;
    const card = {
      name: this.config.name,
      strategy: a.strategy.name,
      zones: a.zones,
      capabilities: a.capabilities,
    };
    const registered = await this.c.adapter.registerAgent({
      endpoint: `ainur://agent/${this.config.name}`,
      metadataCid: await contentId(card),
      capabilities: a.capabilities,
      zones: a.zones,
      signingKeys: [],
    });
    const { agentId, did } = registered;
    const state = { agentId, did };
    await mkdir(this.config.dataDir, { recursive: true });
    await writeFile(this.stateFile(), JSON.stringify(state, null, 2) + "\n");
    this.log(`registered ${did} (agent ${agentId})`);
    return state;
  }

  private async ensureStaked(): Promise<void> {
    const chain = this.c.chain;
    const want = parseAmount(this.config.agent!.stake);
    const info = await this.c.adapter.stakeOf(chain.address);
    if (info.bonded >= want) return;
    this.debug("bonding");
    await this.c.adapter.bond(want - info.bonded);
    this.log(`bonded ${formatAmount(want - info.bonded)} AINUR (stake ${formatAmount(want)})`);
  }

  private async bid(cfp: CallForProposals, expiry: number): Promise<void> {
    const a = this.config.agent!;
    if (!a.capabilities.includes(cfp.capability)) return;
    if (!zonesIntersect(a.zones, new Set(cfp.zones))) return;
    const price = this.strategy.price({
      capability: cfp.capability,
      taskKey: cfp.taskKey,
      budget: BigInt(cfp.budget),
      queueDepth: this.queue,
    });
    if (price === null) return;
    const body: Bid = {
      v: 1,
      type: "bid",
      taskKey: cfp.taskKey,
      agent: this.c.chain.address,
      did: this.state!.did,
      agentPeer: this.c.transport.peerId,
      price: price.toString(),
      zones: a.zones,
      strategy: this.strategy.name,
    };
    const bid = signMessage(this.c.keys, MESSAGE_TYPES.bid, body, expiry);
    await this.c.transport.request(cfp.requesterPeer, DEVNET_PROTOCOLS.bid, bid, {
      timeoutMs: 5_000,
    });
    this.stats.bidsSent++;
  }

  private async onExecute(bytes: Uint8Array): Promise<Uint8Array> {
    const reply = await this.execute(bytes).catch((error: Error): ExecuteReply => ({
      ok: false,
      error: `${error.name}: ${error.message}`,
    }));
    if (!reply.ok) this.stats.tasksFailed++;
    return new TextEncoder().encode(JSON.stringify(reply));
  }

  private async execute(bytes: Uint8Array): Promise<ExecuteReply> {
    const { body: order } = openMessage(
      this.c.verifier,
      bytes,
      MESSAGE_TYPES.execute,
      ExecuteOrder,
      (b) => b.requester,
    );
    const chain = this.c.chain;
    const task = await chain.call<{ agent: string; status: bigint; requester: string }>(
      "TaskEscrow",
      "taskOf",
      order.taskKey,
    );
    const status = TASK_STATUS[Number(task.status)];
    if (status !== "Awarded" || task.agent.toLowerCase() !== chain.address.toLowerCase()) {
      throw new Error(
        `task ${order.taskId} is ${status} on-chain and not awarded to ${chain.address}; not running it`,
      );
    }
    if (task.requester.toLowerCase() !== order.requester.toLowerCase()) {
      throw new Error(`the order for ${order.taskId} does not come from the task's requester`);
    }
    this.queue++;
    try {
      if (this.config.agent!.failOn.includes(order.capability))
        throw new InjectedFailureError(order.capability);
      const output = await this.adapters.get(agentFor(order.capability)).invoke({
        taskId: order.taskId,
        capability: order.capability,
        input: order.input as Json,
        idempotencyKey: order.taskId,
        attempt: 0,
        signal: AbortSignal.timeout(30_000),
      });
      const outputId = await contentId(output);
      const completedAt = Math.floor(Date.now() / 1000);
      const record = recordFromExecution({
        taskId: order.taskId,
        agentDid: this.state!.did,
        inputs: order.inputs,
        output: outputId,
        parentCommitment: BigInt(order.parentCommitment),
        completedAt,
      });
      const commitment = commitRecord(this.poseidon!, record);
      const receipt = await this.c.adapter.submitResult(
        order.taskId,
        digestOf(outputId),
        toHex32(commitment),
      );
      this.stats.tasksRun++;
      return {
        ok: true,
        output,
        outputId,
        commitment: commitment.toString(),
        completedAt,
        resultTx: receipt.txHash,
      };
    } finally {
      this.queue--;
    }
  }
}
