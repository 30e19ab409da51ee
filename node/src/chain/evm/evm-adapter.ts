import {
  Contract,
  Interface,
  id,
  isError,
  type InterfaceAbi,
  type Log,
  type Provider,
  type Signer,
} from "ethers";
import { readArtifact } from "../../../../scripts/deploy/deploy.ts";
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
  ChainEventType,
  EscrowInfo,
  EscrowStatus,
  OpenEscrowParams,
  RegisteredAgent,
  SettleResult,
  StakeInfo,
  TxResult,
  UtidParams,
} from "../index.ts";

const BACKEND = "evm";

/** The contracts the adapter uses, by name (a deployments file's `contracts` map fits). */
export type EvmContracts = Record<
  | "AinurToken"
  | "AgentRegistry"
  | "ReputationStaking"
  | "TaskEscrow"
  | "InsurancePool"
  | "UsageCredits"
  | "UTIDRegistry"
  | "LineageRegistry",
  { address: string; block?: number }
>;

export interface EvmAdapterInit {
  /** Signs every transaction; must be connected to a provider. */
  signer: Signer;
  contracts: EvmContracts;
  /** Hardhat's artifacts folder (default `<repo>/artifacts`). */
  artifactsDir?: string;
  /** Review window of the escrows this adapter opens, seconds (default 1 day). */
  reviewWindow?: number;
  /** How often to poll for events, ms (default 250). */
  pollMs?: number;
  /** First block to read events from (default: the head at start). */
  fromBlock?: number;
}

type Name = keyof EvmContracts;
const SOURCES: Partial<Record<Name, string>> = { AinurToken: "governance/AinurToken.sol" };

/** Task ids are strings in the node; the escrow keys them by this hash. */
export const taskKey = (taskId: string): string => id(`ainur:task:${taskId}`);

const STATUS: Record<number, EscrowStatus | undefined> = {
  1: "open", // Funded
  2: "open", // Awarded
  3: "submitted",
  4: "submitted", // Disputed
  5: "released",
  6: "refunded", // never awarded
  7: "refunded", // Failed: the price went back to the requester
};

const UNAUTHORIZED =
  /Unauthori[sz]ed|NotRequester|NotAgent$|NotAgentOwner|NotArbitrator|NotEscrow|NotInsurancePool|OwnableUnauthorizedAccount|ERC721InsufficientApproval|ERC721IncorrectOwner/;
const NO_FUNDS = /InsufficientBalance|InsufficientAllowance|InsufficientStake|InsufficientShares/;

interface Decoded {
  name: string;
  args: Record<string, unknown>;
}

export class EvmAdapter implements ChainAdapter {
  readonly kind = "evm" as const;
  readonly #init: EvmAdapterInit;
  #address = "";
  #provider: Provider | undefined;
  readonly #c = new Map<Name, Contract>();
  readonly #ifaces: Interface[] = [];
  readonly #listeners = new Set<ChainEventListener>();
  #poll: NodeJS.Timeout | undefined;
  #nextBlock = 0;
  #polling: Promise<void> | undefined;

  constructor(init: EvmAdapterInit) {
    this.#init = init;
  }

  get address(): string {
    return this.#address;
  }

  async start(): Promise<void> {
    if (this.#provider) return;
    const provider = this.#init.signer.provider;
    if (!provider)
      throw new ChainConnectionError(BACKEND, "(none)", "the signer has no provider; connect it first.");
    this.#address = await this.#init.signer.getAddress();
    for (const name of Object.keys(this.#init.contracts) as Name[]) {
      const artifact = await readArtifact(name, this.#init.artifactsDir, SOURCES[name]);
      const contract = new Contract(
        this.#init.contracts[name].address,
        artifact.abi as InterfaceAbi,
        this.#init.signer,
      );
      this.#c.set(name, contract);
      this.#ifaces.push(contract.interface);
    }
    // ERC20/721/AccessControl errors bubble up from inner calls: decode them too.
    this.#ifaces.push(
      new Interface([
        "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
        "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
        "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
      ]),
    );
    this.#provider = provider;
    this.#nextBlock = this.#init.fromBlock ?? (await provider.getBlockNumber()) + 1;
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    await this.#polling?.catch(() => undefined);
    this.#listeners.clear();
    this.#provider = undefined;
  }

  #contract(name: Name): Contract {
    const c = this.#c.get(name);
    if (!c)
      throw new ChainError(BACKEND, `the adapter is not started (or has no ${name}); call start() first.`);
    return c;
  }

  // ---- errors ----

  #decode(err: unknown): Decoded | undefined {
    const e = err as {
      revert?: { name: string; args: unknown[] };
      data?: string;
      error?: { data?: string };
      info?: { error?: { data?: string } };
    };
    const data = e.data ?? e.error?.data ?? e.info?.error?.data;
    if (typeof data === "string" && data.length >= 10) {
      for (const iface of this.#ifaces) {
        try {
          const parsed = iface.parseError(data);
          if (parsed) {
            const args: Record<string, unknown> = {};
            parsed.fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = parsed.args[i]));
            return { name: parsed.name, args };
          }
        } catch {
          // not this interface
        }
      }
    }
    if (e.revert)
      return { name: e.revert.name, args: Object.fromEntries(e.revert.args.map((a, i) => [String(i), a])) };
    return undefined;
  }

  #map(action: string, err: unknown): Error {
    if (err instanceof ChainError) return err;
    const options = { cause: err };
    const decoded = this.#decode(err);
    if (decoded) {
      if (UNAUTHORIZED.test(decoded.name)) {
        return new ChainUnauthorizedError(BACKEND, this.#address, action, decoded.name, options);
      }
      if (NO_FUNDS.test(decoded.name)) {
        return new ChainInsufficientFundsError(BACKEND, this.#address, action, decoded.name, options);
      }
      return new ChainCallFailedError(
        BACKEND,
        action,
        decoded.name,
        decoded.args,
        `the contract reverted with ${decoded.name}`,
        options,
      );
    }
    if (isError(err, "INSUFFICIENT_FUNDS")) {
      return new ChainInsufficientFundsError(BACKEND, this.#address, action, "the gas fee", options);
    }
    if (isError(err, "NETWORK_ERROR") || isError(err, "TIMEOUT") || isError(err, "SERVER_ERROR")) {
      return new ChainConnectionError(BACKEND, "the JSON-RPC node", (err as Error).message, options);
    }
    const message = (err as Error)?.message ?? String(err);
    if (/insufficient funds/i.test(message)) {
      return new ChainInsufficientFundsError(BACKEND, this.#address, action, "the gas fee", options);
    }
    return new ChainError(BACKEND, `${action} failed: ${message}`, options);
  }

  async #do<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#map(action, err);
    }
  }

  async #send(name: Name, method: string, ...args: unknown[]): Promise<TxResult & { logs: readonly Log[] }> {
    const tx = (await this.#contract(name).getFunction(method)(...args)) as {
      wait(): Promise<{ hash: string; blockNumber: number; logs: readonly Log[] } | null>;
    };
    const receipt = await tx.wait();
    if (!receipt) throw new ChainError(BACKEND, `${name}.${method}: no receipt`);
    return { txHash: receipt.hash, blockNumber: receipt.blockNumber, logs: receipt.logs };
  }

  async #call<T>(name: Name, method: string, ...args: unknown[]): Promise<T> {
    return (await this.#contract(name).getFunction(method)(...args)) as T;
  }

  #event(name: Name, logs: readonly Log[], event: string): Record<string, unknown> | undefined {
    const contract = this.#contract(name);
    const address = this.#init.contracts[name].address.toLowerCase();
    for (const log of logs) {
      if (log.address.toLowerCase() !== address) continue;
      try {
        const parsed = contract.interface.parseLog(log);
        if (parsed?.name === event) {
          const out: Record<string, unknown> = {};
          parsed.fragment.inputs.forEach((input, i) => (out[input.name] = parsed.args[i]));
          return out;
        }
      } catch {
        // another event
      }
    }
    return undefined;
  }

  async #approve(spender: Name, amount: bigint): Promise<void> {
    const to = this.#init.contracts[spender].address;
    const allowance = await this.#call<bigint>("AinurToken", "allowance", this.#address, to);
    if (allowance < amount) await this.#send("AinurToken", "approve", to, amount);
  }

  // ---- the ChainAdapter ----

  async now(): Promise<number> {
    return this.#do("read the time", async () => (await this.#provider!.getBlock("latest"))!.timestamp);
  }

  async paymentBalanceOf(account: string): Promise<bigint> {
    return this.#do("read a balance", () => this.#call<bigint>("AinurToken", "balanceOf", account));
  }

  async registerAgent(r: AgentRegistration): Promise<RegisteredAgent & TxResult> {
    return this.#do("register an agent", async () => {
      const tx = await this.#send("AgentRegistry", "register(string)", `ipfs://${r.metadataCid}`);
      const registered = this.#event("AgentRegistry", tx.logs, "Registered");
      const agentId = registered!.agentId as bigint;
      await this.#send("AgentRegistry", "updateProfile", agentId, r.endpoint, r.metadataCid);
      if (r.capabilities.length)
        await this.#send(
          "AgentRegistry",
          "updateCapabilities",
          agentId,
          r.capabilities.map((c) => id(c)),
          [],
        );
      if (r.zones.length)
        await this.#send(
          "AgentRegistry",
          "updateZones",
          agentId,
          r.zones.map((z) => id(z)),
          [],
        );
      let last = tx;
      for (const key of r.signingKeys)
        last = await this.#send("AgentRegistry", "addSigningKey", agentId, key);
      const did = await this.#call<string>("AgentRegistry", "didOf", agentId);
      return {
        agentId: agentId.toString(),
        did,
        owner: this.#address,
        txHash: last.txHash,
        blockNumber: last.blockNumber,
      };
    });
  }

  async getAgent(agentId: string): Promise<AgentInfo | undefined> {
    return this.#do("read an agent", async () => {
      let idn: bigint;
      try {
        idn = BigInt(agentId);
      } catch {
        return undefined;
      }
      let owner: string;
      try {
        owner = await this.#call<string>("AgentRegistry", "ownerOf", idn);
      } catch {
        return undefined; // ERC721NonexistentToken
      }
      const [endpoint, metadataCid] = await this.#call<[string, string]>("AgentRegistry", "profileOf", idn);
      const did = await this.#call<string>("AgentRegistry", "didOf", idn);
      // ERC-8004 identities are ERC-721 tokens: their owner can transfer them.
      return { agentId, did, owner, endpoint, metadataCid, nonTransferable: false };
    });
  }

  async bond(amount: bigint): Promise<TxResult> {
    return this.#do("bond", async () => {
      await this.#approve("ReputationStaking", amount);
      return this.#strip(await this.#send("ReputationStaking", "bond", amount));
    });
  }

  async requestUnbond(amount: bigint): Promise<TxResult> {
    return this.#do("request an unbond", async () =>
      this.#strip(await this.#send("ReputationStaking", "requestUnbond", amount)),
    );
  }

  async slash(operator: string, amount: bigint, reason: string): Promise<TxResult> {
    // SlashSource.Governance = 2: only the timelock holds GOVERNANCE_SLASHER_ROLE.
    return this.#do("slash", async () =>
      this.#strip(await this.#send("ReputationStaking", "slash", operator, amount, 2, id(reason))),
    );
  }

  async stakeOf(operator: string): Promise<StakeInfo> {
    return this.#do("read a stake", async () => {
      const s = await this.#call<{ bonded: bigint; unbonding: bigint }>(
        "ReputationStaking",
        "stakeOf",
        operator,
      );
      return { bonded: s.bonded, unbonding: BigInt(s.unbonding) };
    });
  }

  async openEscrow(p: OpenEscrowParams): Promise<TxResult> {
    return this.#do("open an escrow", async () => {
      const key = taskKey(p.taskId);
      await this.#approve("TaskEscrow", p.amount);
      await this.#send(
        "TaskEscrow",
        "createTask",
        key,
        p.amount,
        p.deadline,
        this.#init.reviewWindow ?? 86_400,
        false,
      );
      // The requester signs its own award (EIP-712); the market's auctioneer keys could sign instead.
      const escrow = this.#init.contracts.TaskEscrow.address;
      const { chainId } = await this.#provider!.getNetwork();
      const signature = await this.#init.signer.signTypedData(
        { name: "Ainur TaskEscrow", version: "1", chainId, verifyingContract: escrow },
        {
          Award: [
            { name: "taskId", type: "bytes32" },
            { name: "agent", type: "address" },
            { name: "price", type: "uint256" },
          ],
        },
        { taskId: key, agent: p.agent, price: p.amount },
      );
      return this.#strip(await this.#send("TaskEscrow", "award", key, p.agent, p.amount, signature));
    });
  }

  async submitResult(taskId: string, resultHash: string, lineageLeaf: string): Promise<TxResult> {
    return this.#do("submit a result", async () =>
      this.#strip(await this.#send("TaskEscrow", "submitResult", taskKey(taskId), resultHash, lineageLeaf)),
    );
  }

  async releaseEscrow(taskId: string): Promise<SettleResult> {
    return this.#do("release an escrow", async () => ({
      state: "settled" as const,
      ...this.#strip(await this.#send("TaskEscrow", "accept", taskKey(taskId), 0)),
    }));
  }

  async refundEscrow(taskId: string): Promise<SettleResult> {
    return this.#do("refund an escrow", async () => ({
      state: "settled" as const,
      ...this.#strip(await this.#send("TaskEscrow", "timeout", taskKey(taskId))),
    }));
  }

  async escrowOf(taskId: string): Promise<EscrowInfo | undefined> {
    return this.#do("read an escrow", async () => {
      const t = await this.#call<{
        requester: string;
        agent: string;
        deadline: bigint;
        status: bigint;
        budget: bigint;
        price: bigint;
      }>("TaskEscrow", "taskOf", taskKey(taskId));
      const status = STATUS[Number(t.status)];
      if (!status) return undefined;
      return {
        taskId,
        requester: t.requester,
        agent: t.agent,
        amount: t.price > 0n ? t.price : t.budget,
        deadline: Number(t.deadline),
        status,
      };
    });
  }

  async insure(taskId: string, coverage: bigint): Promise<TxResult & { premium: bigint }> {
    return this.#do("insure a task", async () => {
      const key = taskKey(taskId);
      const premium = await this.#call<bigint>("InsurancePool", "quote", key, coverage);
      await this.#approve("InsurancePool", premium);
      const tx = await this.#send("InsurancePool", "buyCover", key, coverage, premium);
      const bought = this.#event("InsurancePool", tx.logs, "CoverBought");
      return { premium: (bought?.premium as bigint | undefined) ?? premium, ...this.#strip(tx) };
    });
  }

  async claimInsurance(taskId: string): Promise<{ paid: bigint; tx?: TxResult }> {
    return this.#do("claim insurance", async () => {
      const key = taskKey(taskId);
      const policy = await this.#call<{ coverage: bigint; status: bigint }>("InsurancePool", "policyOf", key);
      const status = Number(policy.status);
      if (status === 0) throw new ChainNotFoundError(BACKEND, "policy for task", taskId);
      if (status === 2) return { paid: policy.coverage }; // paid when the escrow recorded the failure
      const tx = await this.#send("InsurancePool", "claim", key);
      return { paid: policy.coverage, tx: this.#strip(tx) };
    });
  }

  async mintCredits(to: string, amount: bigint, reason: string): Promise<TxResult> {
    return this.#do("mint credits", async () =>
      this.#strip(await this.#send("UsageCredits", "mint", to, amount, id(reason))),
    );
  }

  async burnCredits(from: string, amount: bigint, reason: string): Promise<TxResult> {
    return this.#do("burn credits", async () =>
      this.#strip(
        from.toLowerCase() === this.#address.toLowerCase()
          ? await this.#send("UsageCredits", "burn", amount, id(reason))
          : await this.#send("UsageCredits", "burnFrom", from, amount, id(reason)),
      ),
    );
  }

  async creditsOf(account: string): Promise<bigint> {
    return this.#do("read credits", () => this.#call<bigint>("UsageCredits", "balanceOf", account));
  }

  async registerUtid(p: UtidParams): Promise<TxResult & { utid: string }> {
    return this.#do("register a UTID", async () => {
      const tx = await this.#send(
        "UTIDRegistry",
        "mint",
        BigInt(p.agentId),
        p.manifestHash,
        p.cid,
        p.lineageRoot,
        p.parent ? BigInt(p.parent) : 0n,
      );
      const minted = this.#event("UTIDRegistry", tx.logs, "UTIDMinted");
      return { utid: (minted!.utid as bigint).toString(), ...this.#strip(tx) };
    });
  }

  async anchorRoot(root: string, leafCount: number): Promise<TxResult> {
    return this.#do("anchor a root", async () =>
      this.#strip(await this.#send("LineageRegistry", "anchorRoot", BigInt(root), leafCount)),
    );
  }

  async isAnchored(root: string): Promise<boolean> {
    return this.#do("read a root", () => this.#call<boolean>("LineageRegistry", "isAnchored", BigInt(root)));
  }

  #strip(tx: TxResult & { logs?: unknown }): TxResult {
    return { txHash: tx.txHash, blockNumber: tx.blockNumber };
  }

  // ---- events ----

  subscribe(listener: ChainEventListener): () => void {
    this.#listeners.add(listener);
    if (!this.#poll) {
      this.#poll = setInterval(() => {
        this.#polling ??= this.#pollOnce().finally(() => (this.#polling = undefined));
      }, this.#init.pollMs ?? 250);
      this.#poll.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#poll) {
        clearInterval(this.#poll);
        this.#poll = undefined;
      }
    };
  }

  async #pollOnce(): Promise<void> {
    const provider = this.#provider;
    if (!provider) return;
    const head = await provider.getBlockNumber().catch(() => -1);
    if (head < this.#nextBlock) return;
    const addresses = [...this.#c.keys()].map((n) => this.#init.contracts[n].address);
    const logs = await provider
      .getLogs({ address: addresses, fromBlock: this.#nextBlock, toBlock: head })
      .catch(() => undefined);
    if (!logs) return;
    this.#nextBlock = head + 1;
    for (const log of logs) {
      const event = this.#toEvent(log);
      if (!event) continue;
      for (const l of this.#listeners) {
        try {
          l(event);
        } catch {
          // a listener's failure is its own
        }
      }
    }
  }

  #toEvent(log: Log): ChainEvent | undefined {
    const name = [...this.#c.keys()].find(
      (n) => this.#init.contracts[n].address.toLowerCase() === log.address.toLowerCase(),
    );
    if (!name) return undefined;
    let parsed;
    try {
      parsed = this.#contract(name).interface.parseLog(log);
    } catch {
      return undefined;
    }
    if (!parsed) return undefined;
    const data: ChainEvent["data"] = {};
    parsed.fragment.inputs.forEach((input, i) => {
      const v = parsed.args[i] as unknown;
      data[input.name || String(i)] =
        typeof v === "bigint"
          ? v.toString()
          : typeof v === "number" || typeof v === "string"
            ? v
            : v == null
              ? null
              : String(v);
    });
    const types: Record<string, ChainEventType> = {
      "AgentRegistry.Registered": "agent:registered",
      "UTIDRegistry.UTIDMinted": "utid:registered",
      "ReputationStaking.StakeBonded": "stake:bonded",
      "ReputationStaking.UnbondRequested": "stake:unbond-requested",
      "ReputationStaking.UnbondWithdrawn": "stake:withdrawn",
      "ReputationStaking.StakeSlashed": "stake:slashed",
      "TaskEscrow.TaskAwarded": "escrow:opened",
      "TaskEscrow.ResultSubmitted": "escrow:submitted",
      "TaskEscrow.TaskReleased": "escrow:released",
      "TaskEscrow.TaskRefunded": "escrow:refunded",
      "TaskEscrow.TaskFailed": "escrow:refunded",
      "TaskEscrow.TaskCancelled": "escrow:refunded",
      "InsurancePool.CoverBought": "insurance:covered",
      "InsurancePool.ClaimPaid": "insurance:claim-paid",
      "UsageCredits.CreditsMinted": "credits:minted",
      "UsageCredits.CreditsBurned": "credits:burned",
      "LineageRegistry.RootAnchored": "root:anchored",
    };
    const type = types[`${name}.${parsed.name}`];
    if (!type) return undefined;
    return { type, blockNumber: log.blockNumber, data };
  }
}
