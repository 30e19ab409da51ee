/**
 * node/: the composition root. One components object wires identity (the account key), transport,
 * storage, execution, lineage, chain and the API (with the explorer) for one agent or requester
 * node process; `ainur node start --config <file>` runs it.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { createTransport } from "../transport/index.ts";
import type { Transport } from "../transport/index.ts";
import { createEventLog } from "../storage/index.ts";
import type { SqliteEventLog } from "../storage/index.ts";
import { createApi, MetricsRegistry, TaskEventBus, workflowEventsToTaskEvents } from "../api/index.ts";
import { createExecution } from "../execution/index.ts";
import type { DurableWorkflowRunner } from "../execution/index.ts";
import type { ApiServer } from "../api/index.ts";
import { LineageService } from "../lineage/lineage.ts";
import { createExplorer } from "../explorer/index.ts";
import type { ExplorerServer } from "../explorer/index.ts";
import { EvmChain } from "../chain/evm/index.ts";
import { parseAmount } from "../chain/units.ts";
import { createChainAdapter } from "../chain/index.ts";
import type { ChainAdapter } from "../chain/index.ts";
import type { EvmContracts } from "../chain/evm/index.ts";
import { AgentNode } from "./agent-node.ts";
import { RequesterNode } from "./requester-node.ts";
import type { NodeConfig } from "./config.ts";
import { chainExplorerSource } from "./explorer-source.ts";
import { createMessageVerifier, nodeKeys } from "./protocol.ts";

export { loadNodeConfig, parseNodeConfig, NodeConfigError, NodeConfigSchema } from "./config.ts";
export type { NodeConfig } from "./config.ts";
export {
  EvmChain,
  ChainTransactionError,
  ContractNotDeployedError,
  TASK_STATUS,
  PROPOSAL_STATE,
  taskKey,
} from "../chain/evm/index.ts";
export { AgentNode, InjectedFailureError } from "./agent-node.ts";
export {
  RequesterNode,
  AuctionFailedError,
  ExecutionFailedError,
  WinnerIdentityError,
  onChainCheck,
} from "./requester-node.ts";
export type { PostTask, TaskOutcome, BidSeen } from "./requester-node.ts";
export { BidPricer, clearSecondPrice, EVM_PRICE_UNIT, priceUnitOf } from "./bidding.ts";
export type { BidPricerInit, BidRequest } from "./bidding.ts";
export { CAPABILITY_AGENTS } from "./capabilities.ts";
export { chainExplorerSource } from "./explorer-source.ts";

export type NodeInit = NodeConfig;

/** Everything one node process runs, wired once. */
export interface NodeComponents {
  /** The node's way to the chain (chain/: register, bond, submit, anchor, …). */
  adapter: ChainAdapter;
  /** What the adapter does not cover: escrow-before-auction, awards, acceptance, audits, governance. */
  chain: EvmChain;
  transport: Transport;
  log: SqliteEventLog;
  events: TaskEventBus;
  metrics: MetricsRegistry;
  lineage?: LineageService;
  api?: ApiServer;
  explorer?: ExplorerServer;
  agent?: AgentNode;
  requester?: RequesterNode;
  workflows?: DurableWorkflowRunner;
}

export class UnsupportedChainError extends Error {
  override name = "UnsupportedChainError";
  readonly chain: string;
  constructor(chain: string) {
    super(
      `The node cannot run on chain "${chain}" yet: the Substrate ChainAdapter (node/src/chain/substrate, issue 7) has not landed. Use "evm".`,
    );
    this.chain = chain;
  }
}

export class AinurNode {
  readonly config: NodeConfig;
  readonly components: NodeComponents;
  private readonly say: (line: string) => void;

  private constructor(config: NodeConfig, components: NodeComponents, say: (line: string) => void) {
    this.config = config;
    this.components = components;
    this.say = say;
  }

  /** Builds the components for `config` (nothing starts until `start()`). */
  static async create(config: NodeConfig, say: (line: string) => void = () => {}): Promise<AinurNode> {
    if (config.chain.kind !== "evm") throw new UnsupportedChainError(config.chain.kind);
    await mkdir(config.dataDir, { recursive: true });
    const chain = await EvmChain.connect(config.chain);
    const names = [
      "AinurToken",
      "AgentRegistry",
      "ReputationStaking",
      "TaskEscrow",
      "InsurancePool",
      "UsageCredits",
      "UTIDRegistry",
      "LineageRegistry",
    ] as const;
    const adapter = await createChainAdapter({
      chain: "evm",
      signer: chain.transactionSigner,
      contracts: Object.fromEntries(names.map((n) => [n, chain.deployments.contracts[n]!])) as EvmContracts,
    });
    const seed =
      config.transport.seed === undefined ? undefined : Buffer.from(config.transport.seed.slice(2), "hex");
    const transport = createTransport({
      listen: config.transport.listen,
      // Peers are dialled at the end of start(), once the node is subscribed and idle: gossipsub
      // opens its streams on connect, and a busy event loop (proving keys, registration) can
      // make that negotiation fail for good.
      peers: [],
      ...(seed === undefined ? {} : { seed: new Uint8Array(seed) }),
    });
    const log = createEventLog({ path: path.join(config.dataDir, "events.db") });
    const metrics = new MetricsRegistry();
    const events = new TaskEventBus({ log });
    const components: NodeComponents = { adapter, chain, transport, log, events, metrics };
    const keys = nodeKeys(config.chain.privateKey, Number(await chain.chainId()));
    if (config.role === "agent") {
      const verifier = createMessageVerifier();
      components.agent = new AgentNode({ adapter, chain, transport, keys, verifier }, config, say);
    } else {
      const lineage = new LineageService(
        {
          anchor: async (root, leafCount) => {
            const r = await adapter.anchorRoot("0x" + root.toString(16).padStart(64, "0"), leafCount);
            return { blockNumber: r.blockNumber, transactionHash: r.txHash };
          },
        },
        {
          database: path.join(config.dataDir, "lineage.db"),
          anchorEvery: 1_000_000,
          anchorAfterMs: 3_600_000,
        },
      );
      components.lineage = lineage;
      const requester = new RequesterNode({ adapter, chain, transport, lineage, events, keys });
      components.requester = requester;
      components.workflows = await createExecution(
        { onEvent: workflowEventsToTaskEvents(events), defaultTimeoutMs: 120_000 },
        {
          log,
          adapters: [requester.marketAdapter({ budget: parseAmount("5"), zones: ["eu", "us", "apac"] })],
        },
      );
      if (config.api !== undefined) {
        components.api = createApi({ port: 0 }, { events, metrics, workflows: components.workflows });
        if (config.api.explorer) {
          components.explorer = createExplorer(
            { port: config.api.port },
            { api: components.api, source: chainExplorerSource(chain, components.requester, lineage) },
          );
        }
      }
    }
    return new AinurNode(config, components, say);
  }

  async start(): Promise<void> {
    const c = this.components;
    c.log.start();
    await c.adapter.start();
    await c.transport.start();
    await c.lineage?.start();
    await c.agent?.start();
    await c.requester?.start();
    await c.api?.start();
    await c.explorer?.start();
    for (const peer of this.config.transport.peers) await c.transport.dial(peer);
    this.say(`up: peer ${c.transport.peerId}`);
  }

  async stop(): Promise<void> {
    const c = this.components;
    await c.explorer?.stop();
    await c.api?.stop();
    await c.requester?.stop();
    await c.agent?.stop();
    await c.lineage?.stop();
    await c.transport.stop();
    await c.adapter.stop();
    c.log.stop();
    c.chain.close();
  }
}

export async function createNode(init: NodeInit, say?: (line: string) => void): Promise<AinurNode> {
  return AinurNode.create(init, say);
}
