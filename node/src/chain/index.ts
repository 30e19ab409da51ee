/**
 * chain/: the `ChainAdapter` interface, the node's one way to the chain, with two backends:
 * `evm/` (ethers over the Ainur contracts) and `substrate/` (pallets-client over standard FRAME
 * pallets). Only `chain/evm` imports ethers; only `chain/substrate` imports pallets-client.
 *
 * An adapter acts as one account (its signer). Amounts are bigints in the chain's smallest unit of
 * the relevant token (payment, stake or credits); times are unix seconds of chain time.
 */

export * from "./errors.ts";

export type ChainKind = "evm" | "substrate";

/** A transaction (or, on Substrate, an extrinsic) that was included. */
export interface TxResult {
  txHash: string;
  blockNumber: number;
}

export interface AgentRegistration {
  /** The agent's HTTP endpoint. */
  endpoint: string;
  /** CID of the agent's metadata (registration file). */
  metadataCid: string;
  capabilities: readonly string[];
  zones: readonly string[];
  /** Public signing keys as 0x-hex (32 bytes on EVM). */
  signingKeys: readonly string[];
}

export interface RegisteredAgent {
  agentId: string;
  did: string;
  owner: string;
}

export interface AgentInfo extends RegisteredAgent {
  endpoint: string;
  metadataCid: string;
  /** Whether the backend holds it as non-transferable (EVM: always, by contract; Substrate: the frozen item). */
  nonTransferable: boolean;
}

export interface StakeInfo {
  bonded: bigint;
  unbonding: bigint;
}

export type EscrowStatus = "open" | "submitted" | "released" | "refunded";

export interface EscrowInfo {
  taskId: string;
  requester: string;
  agent: string;
  amount: bigint;
  /** Unix seconds. */
  deadline: number;
  status: EscrowStatus;
}

export interface OpenEscrowParams {
  /** The node's task id (any string; backends derive their own key from it). */
  taskId: string;
  agent: string;
  amount: bigint;
  /** Unix seconds of chain time. */
  deadline: number;
  /** Substrate only: the escrow's third signatory (default: the deployment's arbiter). */
  arbiter?: string;
}

/**
 * `settled` when the money moved; `pending` when this signature was recorded and another party must
 * sign (Substrate's 2-of-3 escrow: requester + agent, or arbiter + requester after the deadline).
 */
export interface SettleResult extends TxResult {
  state: "pending" | "settled";
}

export interface UtidParams {
  agentId: string;
  /** 0x-hex, 32 bytes. */
  manifestHash: string;
  cid: string;
  /** 0x-hex, 32 bytes. */
  lineageRoot: string;
  /** The previous version's UTID, if any. */
  parent?: string;
}

export type ChainEventType =
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

export interface ChainEvent {
  type: ChainEventType;
  blockNumber: number;
  /** Event fields as strings and numbers (addresses in the chain's format, amounts as decimal strings). */
  data: Record<string, string | number | null>;
}

export type ChainEventListener = (event: ChainEvent) => void;

/** The node's view of Ainur on a chain, acting as one account. */
export interface ChainAdapter {
  readonly kind: ChainKind;
  /** The signing account, in the chain's address format. */
  readonly address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Chain time (unix seconds) at the head. */
  now(): Promise<number>;
  /** Balance of the payment token (EVM: the escrow's ERC20; Substrate: the native token). */
  paymentBalanceOf(account: string): Promise<bigint>;

  registerAgent(registration: AgentRegistration): Promise<RegisteredAgent & TxResult>;
  getAgent(agentId: string): Promise<AgentInfo | undefined>;

  bond(amount: bigint): Promise<TxResult>;
  requestUnbond(amount: bigint): Promise<TxResult>;
  /** Governance only. */
  slash(operator: string, amount: bigint, reason: string): Promise<TxResult>;
  stakeOf(operator: string): Promise<StakeInfo>;

  /** Requester: lock `amount` for `agent` (on EVM: create and award in one go). */
  openEscrow(params: OpenEscrowParams): Promise<TxResult>;
  /** Agent: record the result (and on Substrate, sign its own payment). */
  submitResult(taskId: string, resultHash: string, lineageLeaf: string): Promise<TxResult>;
  /** Requester: accept the result and pay the agent. */
  releaseEscrow(taskId: string): Promise<SettleResult>;
  /** After the deadline without a result: return the payment to the requester. */
  refundEscrow(taskId: string): Promise<SettleResult>;
  escrowOf(taskId: string): Promise<EscrowInfo | undefined>;

  /** Requester: buy cover for an open escrow; returns the premium paid. */
  insure(taskId: string, coverage: bigint): Promise<TxResult & { premium: bigint }>;
  /** Pay the claim of a failed insured task (EVM: anyone, often already paid by the escrow; Substrate: governance). */
  claimInsurance(taskId: string): Promise<{ paid: bigint; tx?: TxResult }>;

  /** Credit issuer only. */
  mintCredits(to: string, amount: bigint, reason: string): Promise<TxResult>;
  /** Credit issuer only. */
  burnCredits(from: string, amount: bigint, reason: string): Promise<TxResult>;
  creditsOf(account: string): Promise<bigint>;

  registerUtid(params: UtidParams): Promise<TxResult & { utid: string }>;
  /** An agent staked at the minimum anchors a lineage root (a field element, 0x-hex). */
  anchorRoot(root: string, leafCount: number): Promise<TxResult>;
  isAnchored(root: string): Promise<boolean>;

  /** Ainur events from now on, in chain order. Returns an unsubscribe function. */
  subscribe(listener: ChainEventListener): () => void;
}

/** Options for {@link createChainAdapter}: pick a backend by `chain`. */
export type ChainAdapterInit =
  | ({ chain: "evm" } & import("./evm/index.ts").EvmAdapterInit)
  | ({ chain: "substrate" } & import("./substrate/index.ts").SubstrateAdapterInit);

/** Build (not start) the adapter for the configured chain; backends load lazily. */
export async function createChainAdapter(init: ChainAdapterInit): Promise<ChainAdapter> {
  if (init.chain === "evm") {
    const { createEvmAdapter } = await import("./evm/index.ts");
    return createEvmAdapter(init);
  }
  const { createSubstrateAdapter } = await import("./substrate/index.ts");
  return createSubstrateAdapter(init);
}
