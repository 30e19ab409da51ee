import { readFile } from "node:fs/promises";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady, encodeAddress } from "@polkadot/util-crypto";
import {
  AinurLedger,
  AinurSubstrateClient,
  ClientRuleError,
  ConnectionLostError,
  DispatchError,
  InsufficientFundsError,
  NotFoundError,
  SubmissionTimeoutError,
  SubstrateClient,
  TransactionRejectedError,
  UnauthorizedSignerError,
  deploymentFromJson,
  type AinurSubstrateDeployment,
  type InclusionReceipt,
} from "../../../../pallets-client/src/index.ts";
import {
  ChainCallFailedError,
  ChainConnectionError,
  ChainError,
  ChainInsufficientFundsError,
  ChainNotFoundError,
  ChainUnauthorizedError,
} from "../errors.ts";
import type {
  AgentInfo,
  AgentRegistration,
  ChainAdapter,
  ChainEvent,
  ChainEventListener,
  EscrowInfo,
  OpenEscrowParams,
  RegisteredAgent,
  SettleResult,
  StakeInfo,
  TxResult,
  UtidParams,
} from "../index.ts";

const BACKEND = "substrate";

export interface SubstrateAdapterInit {
  /** `ws://…` of the node. */
  endpoint: string;
  /** The Ainur deployment on that chain (pallets-client `deployAinurSubstrate`), or the path of its JSON file. */
  deployment: AinurSubstrateDeployment | string;
  /** The signer: a secret URI (`//Alice`, a mnemonic, …) or a keyring pair. */
  signer: string | KeyringPair;
  /** Governance members' keys, for slashing and claims (at least the threshold). */
  governanceSigners?: readonly (string | KeyringPair)[];
  /** Per-submission timeout, retries included (default 60 s). */
  timeoutMs?: number;
}

export interface SubstrateAdapterComponents {
  /** Share one connection between adapters (the adapter then does not close it). */
  client?: SubstrateClient;
  /** Share one ledger between adapters on the same client. */
  ledger?: AinurLedger;
}

function isDisconnect(err: unknown): boolean {
  const message = (err as Error)?.message ?? "";
  return /disconnected from|WebSocket is not connected|No WebSocket|Abnormal Closure/i.test(message);
}

/** Normalise a field element to 0x + 64 lowercase hex digits. */
function normRoot(root: string): string {
  return "0x" + BigInt(root).toString(16).padStart(64, "0");
}

export class SubstrateAdapter implements ChainAdapter {
  readonly kind = "substrate" as const;
  readonly #init: SubstrateAdapterInit;
  readonly #components: SubstrateAdapterComponents;
  #client: SubstrateClient | undefined;
  #ainur: AinurSubstrateClient | undefined;
  #address = "";
  #unsubHeads: (() => void) | undefined;
  readonly #listeners = new Set<ChainEventListener>();
  #offLedger: (() => void) | undefined;

  constructor(init: SubstrateAdapterInit, components: SubstrateAdapterComponents = {}) {
    this.#init = init;
    this.#components = components;
  }

  get address(): string {
    return this.#address;
  }

  get ainur(): AinurSubstrateClient {
    if (!this.#ainur) throw new ChainError(BACKEND, "the adapter is not started; call start() first.");
    return this.#ainur;
  }

  async start(): Promise<void> {
    if (this.#ainur) return;
    await cryptoWaitReady();
    const deployment =
      typeof this.#init.deployment === "string"
        ? deploymentFromJson(await readFile(this.#init.deployment, "utf8"))
        : this.#init.deployment;
    const keyring = new Keyring({ type: "sr25519", ss58Format: deployment.ss58 });
    const pair = (s: string | KeyringPair): KeyringPair =>
      typeof s === "string" ? keyring.addFromUri(s) : s;
    try {
      this.#client =
        this.#components.client ??
        (await SubstrateClient.connect({ endpoint: this.#init.endpoint, timeoutMs: this.#init.timeoutMs }));
    } catch (err) {
      throw this.#map("connect", err);
    }
    const signer = pair(this.#init.signer);
    this.#ainur = new AinurSubstrateClient({
      client: this.#client,
      deployment,
      signer,
      governanceSigners: (this.#init.governanceSigners ?? []).map(pair),
      ledger: this.#components.ledger ?? new AinurLedger(this.#client.api, deployment),
    });
    this.#address = encodeAddress(signer.address, deployment.ss58);
    await this.#ainur.ledger.sync();
    this.#offLedger = this.#ainur.ledger.subscribe((e) => {
      const event: ChainEvent = { type: e.type, blockNumber: e.blockNumber, data: e.data };
      for (const l of this.#listeners) l(event);
    });
    const ledger = this.#ainur.ledger;
    this.#unsubHeads = await this.#client.api.rpc.chain.subscribeNewHeads(() => {
      ledger.sync().catch(() => undefined);
    });
  }

  async stop(): Promise<void> {
    this.#unsubHeads?.();
    this.#unsubHeads = undefined;
    this.#offLedger?.();
    this.#listeners.clear();
    if (!this.#components.client) await this.#client?.close();
    this.#client = undefined;
    this.#ainur = undefined;
  }

  subscribe(listener: ChainEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Run an action; if a query failed because the socket dropped (nothing was submitted: submissions
   * handle drops themselves), wait for the provider to reconnect and run it once more.
   */
  async #do<T>(action: string, fn: (a: AinurSubstrateClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.ainur);
    } catch (err) {
      if (!isDisconnect(err)) throw this.#map(action, err);
      try {
        await this.ainur.client.connected();
        return await fn(this.ainur);
      } catch (again) {
        throw this.#map(action, again);
      }
    }
  }

  #map(action: string, err: unknown): Error {
    if (err instanceof ChainError) return err;
    const options = { cause: err };
    const account = this.#address || "the signer";
    if (err instanceof UnauthorizedSignerError) {
      return new ChainUnauthorizedError(BACKEND, account, action, err.message, options);
    }
    if (err instanceof InsufficientFundsError) {
      return new ChainInsufficientFundsError(BACKEND, err.account, action, err.detail, options);
    }
    if (err instanceof DispatchError) {
      const reason = `${err.pallet}.${err.error}`;
      if (err.error === "NoPermission" || err.error === "BadOrigin" || err.error === "NotOwner") {
        return new ChainUnauthorizedError(BACKEND, account, action, reason, options);
      }
      return new ChainCallFailedError(
        BACKEND,
        action,
        reason,
        { pallet: err.pallet, error: err.error },
        err.docs || err.message,
        options,
      );
    }
    if (err instanceof ClientRuleError) {
      if (err.rule === "not-eligible")
        return new ChainUnauthorizedError(BACKEND, account, action, err.message, options);
      return new ChainCallFailedError(BACKEND, action, err.rule, err.values, err.message, options);
    }
    if (err instanceof NotFoundError) return new ChainNotFoundError(BACKEND, err.kind, err.id, options);
    if (err instanceof ConnectionLostError || err instanceof SubmissionTimeoutError) {
      return new ChainConnectionError(BACKEND, this.#init.endpoint, err.message, options);
    }
    if (err instanceof TransactionRejectedError) {
      return new ChainCallFailedError(
        BACKEND,
        action,
        "pool-rejected",
        { reason: err.reason },
        err.message,
        options,
      );
    }
    return new ChainError(BACKEND, `${action} failed: ${(err as Error)?.message ?? String(err)}`, options);
  }

  #tx(receipt: InclusionReceipt): TxResult {
    return { txHash: receipt.txHash, blockNumber: receipt.blockNumber };
  }

  async now(): Promise<number> {
    return this.#do("read the time", async (a) => Math.floor((await a.system.now()) / 1000));
  }

  async paymentBalanceOf(account: string): Promise<bigint> {
    return this.#do("read a balance", (a) => a.balances.free(account));
  }

  async registerAgent(registration: AgentRegistration): Promise<RegisteredAgent & TxResult> {
    return this.#do("register an agent", async (a) => {
      const { agentId, did, receipt } = await a.registerAgent(registration);
      return { agentId: String(agentId), did, owner: a.address, ...this.#tx(receipt) };
    });
  }

  async getAgent(agentId: string): Promise<AgentInfo | undefined> {
    return this.#do("read an agent", async (a) => {
      const id = Number(agentId);
      if (!Number.isInteger(id) || id < 0) return undefined;
      const agent = await a.agent(id);
      if (!agent) return undefined;
      return {
        agentId,
        did: agent.did,
        owner: agent.owner,
        endpoint: agent.attributes.endpoint ?? "",
        metadataCid: agent.attributes.cid ?? "",
        nonTransferable: agent.frozen,
      };
    });
  }

  async bond(amount: bigint): Promise<TxResult> {
    return this.#do("bond", async (a) => this.#tx(await a.bond(amount)));
  }

  async requestUnbond(amount: bigint): Promise<TxResult> {
    return this.#do("request an unbond", async (a) => this.#tx(await a.requestUnbond(amount)));
  }

  async slash(operator: string, amount: bigint, reason: string): Promise<TxResult> {
    return this.#do("slash", async (a) => this.#tx(await a.slash(operator, amount, reason)));
  }

  async stakeOf(operator: string): Promise<StakeInfo> {
    return this.#do("read a stake", async (a) => {
      const s = await a.stakeOf(operator);
      return { bonded: s.bonded, unbonding: s.unbonding };
    });
  }

  async openEscrow(params: OpenEscrowParams): Promise<TxResult> {
    return this.#do("open an escrow", async (a) =>
      this.#tx(
        await a.openEscrow({
          taskId: params.taskId,
          agent: params.agent,
          amount: params.amount,
          deadline: params.deadline * 1000,
          arbiter: params.arbiter,
        }),
      ),
    );
  }

  async submitResult(taskId: string, resultHash: string, lineageLeaf: string): Promise<TxResult> {
    return this.#do("submit a result", async (a) =>
      this.#tx(await a.submitResult(taskId, resultHash, lineageLeaf)),
    );
  }

  async releaseEscrow(taskId: string): Promise<SettleResult> {
    return this.#do("release an escrow", async (a) => {
      const { state, receipt } = await a.releaseEscrow(taskId);
      return { state: state === "executed" ? "settled" : "pending", ...this.#tx(receipt) };
    });
  }

  async refundEscrow(taskId: string): Promise<SettleResult> {
    return this.#do("refund an escrow", async (a) => {
      const { state, receipt } = await a.refundEscrow(taskId);
      return { state: state === "executed" ? "settled" : "pending", ...this.#tx(receipt) };
    });
  }

  async escrowOf(taskId: string): Promise<EscrowInfo | undefined> {
    return this.#do("read an escrow", async (a) => {
      await a.ledger.sync();
      const e = a.ledger.escrows.get(taskId);
      if (!e) return undefined;
      return {
        taskId,
        requester: e.requester,
        agent: e.agent,
        amount: e.amount,
        deadline: Math.floor(e.deadline / 1000),
        status: e.status,
      };
    });
  }

  async insure(taskId: string, coverage: bigint): Promise<TxResult & { premium: bigint }> {
    return this.#do("insure a task", async (a) => {
      const { premium, receipt } = await a.insure(taskId, coverage);
      return { premium, ...this.#tx(receipt) };
    });
  }

  async claimInsurance(taskId: string): Promise<{ paid: bigint; tx?: TxResult }> {
    return this.#do("claim insurance", async (a) => {
      await a.ledger.sync();
      const policy = a.ledger.policies.get(taskId);
      if (!policy) throw new NotFoundError("policy for task", taskId);
      if (policy.status === "paid") return { paid: policy.coverage };
      const receipt = await a.payClaim(taskId);
      return { paid: policy.coverage, tx: this.#tx(receipt) };
    });
  }

  async mintCredits(to: string, amount: bigint, reason: string): Promise<TxResult> {
    return this.#do("mint credits", async (a) => this.#tx(await a.mintCredits(to, amount, reason)));
  }

  async burnCredits(from: string, amount: bigint, reason: string): Promise<TxResult> {
    return this.#do("burn credits", async (a) => this.#tx(await a.burnCredits(from, amount, reason)));
  }

  async creditsOf(account: string): Promise<bigint> {
    return this.#do("read credits", (a) => a.creditsOf(account));
  }

  async registerUtid(params: UtidParams): Promise<TxResult & { utid: string }> {
    return this.#do("register a UTID", async (a) => {
      await a.ledger.sync();
      const version = params.parent ? (a.ledger.utids.get(params.parent)?.version ?? 0) + 1 : 1;
      const { utid, receipt } = await a.registerUtid({
        agentId: Number(params.agentId),
        manifestHash: params.manifestHash,
        cid: params.cid,
        lineageRoot: params.lineageRoot,
        version,
        parent: params.parent,
      });
      return { utid, ...this.#tx(receipt) };
    });
  }

  async anchorRoot(root: string, leafCount: number): Promise<TxResult> {
    return this.#do("anchor a root", async (a) => this.#tx(await a.anchorRoot(normRoot(root), leafCount)));
  }

  async isAnchored(root: string): Promise<boolean> {
    return this.#do("read a root", async (a) => (await a.rootOf(normRoot(root))) !== undefined);
  }
}
