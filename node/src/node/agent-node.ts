/**
 * An agent node: registers its DID and keeps its stake bonded, bids with `market/`'s `Bidder` (calls
 * for proposals on its capabilities' topics, outside its zones left alone; sealed bids priced by its
 * strategy; the requester's EIP-712 award checked), and runs the tasks it wins with a built-in agent
 * (execution/), submitting the result and its lineage leaf to the escrow.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildPoseidon } from "circomlibjs";
import type { Poseidon } from "circomlibjs";
import type { Transport } from "../transport/index.ts";
import { Bidder } from "../market/index.ts";
import { AdapterRegistry, builtinAgents } from "../execution/index.ts";
import type { Json } from "../storage/index.ts";
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
  accountDidResolver,
  DEVNET_PROTOCOLS,
  ExecuteOrder,
  MESSAGE_TYPES,
  openMessage,
} from "./protocol.ts";
import type { AgentKeys, EnvelopeVerifier } from "../identity/index.ts";
import type { ExecuteReply } from "./protocol.ts";

export interface AgentNodeComponents {
  adapter: ChainAdapter;
  chain: EvmChain;
  transport: Transport;
  /** The account key as a message identity (protocol.ts's `nodeKeys`): signs the bids. */
  keys: AgentKeys;
  /** Opens the requester's execution orders (protocol.ts's `createMessageVerifier`). */
  verifier: EnvelopeVerifier;
}

export interface AgentState {
  agentId: string;
  did: string;
}

export interface AgentNodeStats {
  cfpsSeen: number;
  bidsSent: number;
  /** Calls for proposals it stayed out of (zones, capability, strategy). */
  cfpsSkipped: number;
  awards: number;
  tasksRun: number;
  tasksFailed: number;
  /** Calls for proposals refused, by reason (the market `Bidder`'s count). */
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
  private bidder: Bidder | undefined;
  state: AgentState | undefined;
  readonly stats: AgentNodeStats = {
    cfpsSeen: 0,
    bidsSent: 0,
    cfpsSkipped: 0,
    awards: 0,
    tasksRun: 0,
    tasksFailed: 0,
    rejected: {},
  };
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
    await this.startBidder();
  }

  /** The market side: a `Bidder` that answers calls for proposals in this agent's capabilities and zones. */
  private async startBidder(): Promise<void> {
    const a = this.config.agent!;
    const chain = this.c.chain;
    const bidder = new Bidder(
      {
        capabilities: a.capabilities,
        zones: a.zones,
        escrow: {
          chainId: Number(await chain.chainId()),
          verifyingContract: chain.deployments.contracts.TaskEscrow!.address,
          priceUnit: this.strategy.priceUnit,
        },
        // The node's agents price a task by their floor (the strategy adds its margin, load or undercut).
        cost: (cfp) => (a.capabilities.includes(cfp.capability) ? this.strategy.cost : undefined),
        queueDepth: () => this.queue,
        profile: { agentDid: this.state!.did, strategy: this.strategy.name },
        alg: "eip712",
      },
      {
        keys: this.c.keys,
        resolver: accountDidResolver,
        transport: this.c.transport,
        strategy: this.strategy.strategy,
      },
    );
    bidder.on("cfp", () => this.stats.cfpsSeen++);
    bidder.on("bid", () => this.stats.bidsSent++);
    bidder.on("skip", (cfp, reason) => {
      this.stats.cfpsSkipped++;
      this.debug(`not bidding on ${cfp.cfpId}: ${reason}`);
    });
    bidder.on("award", (award) => {
      this.stats.awards++;
      this.debug(`awarded ${award.cfpId} at ${award.escrow.price}`);
    });
    bidder.on("error", (error) => this.log(`bid failed: ${error.message}`));
    this.stats.rejected = bidder.dropped;
    this.bidder = bidder;
    await bidder.start();
  }

  async stop(): Promise<void> {
    const t = this.c.transport;
    await this.bidder?.stop();
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
