/**
 * Ainur's operations on a Substrate chain, for one signer, composed from the standard pallets:
 * DIDs and UTIDs as frozen Uniques items; stake in a governance-controlled vault (pure proxy);
 * credits as a frozen asset; escrow as a 2-of-3 multisig; the insurance pool as a pure proxy under
 * governance; lineage roots as remarks. State is read back from the chain by an {@link AinurLedger}.
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { blake2AsU8a, encodeAddress } from "@polkadot/util-crypto";
import { stringToU8a, u8aConcat } from "@polkadot/util";
import type { InclusionReceipt, SubstrateClient } from "../client.ts";
import {
  ClientRuleError,
  InsufficientFundsError,
  NotFoundError,
  UnauthorizedSignerError,
} from "../errors.ts";
import { AssetsPallet } from "../pallets/assets.ts";
import { BalancesPallet } from "../pallets/balances.ts";
import { MultisigPallet } from "../pallets/multisig.ts";
import { ProxyPallet } from "../pallets/proxy.ts";
import { SystemPallet } from "../pallets/system.ts";
import { UniquesPallet } from "../pallets/uniques.ts";
import { UtilityPallet } from "../pallets/utility.ts";
import type { AinurSubstrateDeployment } from "./deployment.ts";
import { approveOrExecute, executeMultisig, type ApprovalState } from "./governance.ts";
import { AinurLedger, type AgentState, type EscrowState } from "./ledger.ts";
import { encodeRemark } from "./records.ts";

export interface AgentProfile {
  endpoint: string;
  metadataCid: string;
  capabilities: readonly string[];
  zones: readonly string[];
  /** Public signing keys (hex). */
  signingKeys: readonly string[];
}

export interface AgentRecord extends AgentState {
  did: string;
  frozen: boolean;
  attributes: Record<string, string>;
}

export interface OpenEscrowInit {
  taskId: string;
  agent: string;
  amount: bigint;
  /** ms since the epoch (chain time). */
  deadline: number;
  arbiter?: string;
}

export interface AinurClientInit {
  client: SubstrateClient;
  deployment: AinurSubstrateDeployment;
  signer: KeyringPair;
  /** Keys of governance members, for the governance role (at least the threshold). */
  governanceSigners?: readonly KeyringPair[];
  /** Share a ledger between clients on the same chain (default: a new one). */
  ledger?: AinurLedger;
}

const AGENT_ITEM = 0;

export class AinurSubstrateClient {
  readonly client: SubstrateClient;
  readonly deployment: AinurSubstrateDeployment;
  readonly signer: KeyringPair;
  readonly address: string;
  readonly ledger: AinurLedger;
  readonly #governanceSigners: readonly KeyringPair[];
  readonly system: SystemPallet;
  readonly balances: BalancesPallet;
  readonly utility: UtilityPallet;
  readonly multisig: MultisigPallet;
  readonly proxy: ProxyPallet;
  readonly assets: AssetsPallet;
  readonly uniques: UniquesPallet;

  constructor(init: AinurClientInit) {
    this.client = init.client;
    this.deployment = init.deployment;
    this.signer = init.signer;
    this.address = encodeAddress(init.signer.address, init.deployment.ss58);
    this.ledger = init.ledger ?? new AinurLedger(init.client.api, init.deployment);
    this.#governanceSigners = init.governanceSigners ?? [];
    const api = init.client.api;
    this.system = new SystemPallet(api);
    this.balances = new BalancesPallet(api);
    this.utility = new UtilityPallet(api);
    this.multisig = new MultisigPallet(api);
    this.proxy = new ProxyPallet(api);
    this.assets = new AssetsPallet(api);
    this.uniques = new UniquesPallet(api);
  }

  /** `did:ainur:sub-<first 8 bytes of the genesis hash>:<agentId>` */
  didOf(agentId: number): string {
    return `did:ainur:sub-${this.deployment.genesisHash.slice(2, 18)}:${agentId}`;
  }

  #ss58(address: string): string {
    return encodeAddress(address, this.deployment.ss58);
  }

  #remark(payload: Record<string, unknown> & { t: string }) {
    return this.system.remarkWithEvent(encodeRemark(payload));
  }

  #submit(...calls: Parameters<UtilityPallet["batchAll"]>[0]): Promise<InclusionReceipt> {
    return this.client.submit(this.signer, this.utility.batchAll(calls));
  }

  // ---- agents and UTIDs (Uniques) ----

  /**
   * Register an agent: a Uniques class owned by the operator with item 0 as the DID, its profile as
   * attributes, frozen; the class admin (who alone can thaw) becomes governance, so the DID cannot be
   * transferred by its owner. The class id is derived from the operator and a salt.
   */
  async registerAgent(
    profile: AgentProfile,
  ): Promise<{ agentId: number; did: string; receipt: InclusionReceipt }> {
    let agentId = 0;
    for (let salt = 0; ; salt++) {
      const h = blake2AsU8a(
        u8aConcat(stringToU8a("ainur:agent"), this.signer.publicKey, stringToU8a(String(salt))),
      );
      agentId = (((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0) & 0x7fffffff;
      if (agentId !== 0 && !(await this.uniques.classOf(agentId))) break;
      if (salt > 32)
        throw new ClientRuleError("agent-id", "could not find a free Uniques class id", { salt });
    }
    const attrs: [string, string][] = [
      ["controller", this.address],
      ["endpoint", profile.endpoint],
      ["cid", profile.metadataCid],
      ["capabilities", profile.capabilities.join(",")],
      ["zones", profile.zones.join(",")],
      // One attribute per key, without 0x: a 32-byte key is 64 hex digits, the runtime's value limit.
      ...profile.signingKeys.map((k, i): [string, string] => [`key${i}`, k.replace(/^0x/, "")]),
    ];
    this.#checkAttributes(attrs);
    const receipt = await this.#submit(
      this.uniques.create(agentId, this.address),
      this.uniques.mint(agentId, AGENT_ITEM, this.address),
      ...attrs.map(([k, v]) => this.uniques.setAttribute(agentId, AGENT_ITEM, k, v)),
      this.uniques.freeze(agentId, AGENT_ITEM),
      this.uniques.setTeam(agentId, this.address, this.deployment.governance.account, this.address),
      this.#remark({ t: "agent.register", agentId }),
    );
    return { agentId, did: this.didOf(agentId), receipt };
  }

  /** Uniques bounds attribute keys and values (32 and 64 bytes on Asset Hub): check before the runtime panics. */
  #checkAttributes(attrs: readonly [string, string][]): void {
    const consts = this.client.api.consts.uniques as unknown as Record<
      string,
      { toString(): string } | undefined
    >;
    const keyLimit = Number(consts.keyLimit?.toString() ?? 32);
    const valueLimit = Number(consts.valueLimit?.toString() ?? 64);
    for (const [k, v] of attrs) {
      const bytes = new TextEncoder().encode(v).length;
      if (k.length > keyLimit || bytes > valueLimit) {
        throw new ClientRuleError(
          "attribute-too-long",
          `the attribute ${k} is ${bytes} bytes; this chain stores at most ${valueLimit} (keys ${keyLimit}). Shorten it or store it behind a CID.`,
          { key: k, bytes, valueLimit, keyLimit },
        );
      }
    }
  }

  async agent(agentId: number): Promise<AgentRecord | undefined> {
    await this.ledger.sync();
    const state = this.ledger.agents.get(agentId);
    if (!state) return undefined;
    const item = await this.uniques.item(agentId, AGENT_ITEM);
    const attributes = await this.uniques.attributes(agentId, AGENT_ITEM);
    return { ...state, did: this.didOf(agentId), frozen: item?.isFrozen ?? false, attributes };
  }

  /** A UTID: a frozen item in the agent's class, id derived from the manifest hash and the version. */
  async registerUtid(init: {
    agentId: number;
    manifestHash: string;
    cid: string;
    lineageRoot: string;
    version: number;
    parent?: string;
  }): Promise<{ utid: string; receipt: InclusionReceipt }> {
    await this.ledger.sync();
    const agent = this.ledger.agents.get(init.agentId);
    if (!agent) throw new NotFoundError("agent", String(init.agentId));
    if (agent.owner !== this.address) {
      throw new UnauthorizedSignerError(this.address, `register a UTID for agent ${init.agentId}`, [
        agent.owner,
      ]);
    }
    const h = blake2AsU8a(u8aConcat(stringToU8a(init.manifestHash), stringToU8a(String(init.version))));
    const item = (((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0) & 0x7fffffff || 1;
    this.#checkAttributes([
      ["manifest", init.manifestHash.replace(/^0x/, "")],
      ["cid", init.cid],
      ["lineageRoot", init.lineageRoot.replace(/^0x/, "")],
    ]);
    const receipt = await this.#submit(
      this.uniques.mint(init.agentId, item, this.address),
      this.uniques.setAttribute(init.agentId, item, "manifest", init.manifestHash.replace(/^0x/, "")),
      this.uniques.setAttribute(init.agentId, item, "cid", init.cid),
      this.uniques.setAttribute(init.agentId, item, "lineageRoot", init.lineageRoot.replace(/^0x/, "")),
      this.uniques.setAttribute(init.agentId, item, "version", String(init.version)),
      this.uniques.freeze(init.agentId, item),
      this.#remark({
        t: "utid.register",
        agentId: init.agentId,
        item,
        manifestHash: init.manifestHash,
        cid: init.cid,
        lineageRoot: init.lineageRoot,
        version: init.version,
        parent: init.parent ?? null,
      }),
    );
    return { utid: `${init.agentId}/${item}`, receipt };
  }

  // ---- stake (stake asset in the governance vault) ----

  async bond(amount: bigint): Promise<InclusionReceipt> {
    if (amount <= 0n) throw new ClientRuleError("zero-amount", "bond a positive amount", { amount });
    const balance = await this.assets.balance(this.deployment.stakeAssetId, this.address);
    if (balance < amount) {
      throw new InsufficientFundsError(this.address, "bond", `stake balance ${balance} < ${amount}`);
    }
    return this.#submit(
      this.assets.transfer(this.deployment.stakeAssetId, this.deployment.stakeVault, amount),
      this.#remark({ t: "stake.bond", amount: amount.toString() }),
    );
  }

  async requestUnbond(amount: bigint): Promise<InclusionReceipt> {
    await this.ledger.sync();
    const stake = this.ledger.stakeOf(this.address);
    if (amount <= 0n || amount > stake.bonded) {
      throw new ClientRuleError("unbond-amount", `cannot unbond ${amount}: ${stake.bonded} is bonded`, {
        amount,
        bonded: stake.bonded,
      });
    }
    return this.#submit(this.#remark({ t: "stake.unbond", amount: amount.toString() }));
  }

  async stakeOf(address: string) {
    await this.ledger.sync();
    return this.ledger.stakeOf(this.#ss58(address));
  }

  /** Governance: move slashed stake from the vault to the insurance pool, capped per incident. */
  async slash(operator: string, amount: bigint, reason: string): Promise<InclusionReceipt> {
    this.#requireGovernance(`slash ${operator}`);
    await this.ledger.sync();
    const op = this.#ss58(operator);
    const stake = this.ledger.stakeOf(op);
    const cap = ((stake.bonded + stake.unbonding) * BigInt(this.deployment.params.slashCapBps)) / 10_000n;
    if (amount <= 0n || amount > cap) {
      throw new ClientRuleError("slash-cap", `a slash of ${amount} exceeds the cap ${cap} for ${op}`, {
        amount,
        cap,
      });
    }
    return this.#governance(
      this.proxy.proxy(
        this.deployment.stakeVault,
        this.utility.batchAll([
          this.assets.transfer(this.deployment.stakeAssetId, this.deployment.insurancePool, amount),
          this.#remark({ t: "stake.slash", operator: op, amount: amount.toString(), reason }),
        ]),
      ),
    );
  }

  /** Governance: pay out an operator's unbonding stake once the delay has passed. */
  async payUnbonded(operator: string): Promise<InclusionReceipt> {
    this.#requireGovernance(`pay out ${operator}'s unbonded stake`);
    await this.ledger.sync();
    const op = this.#ss58(operator);
    const stake = this.ledger.stakeOf(op);
    const now = await this.system.now();
    if (stake.unbonding <= 0n)
      throw new ClientRuleError("nothing-to-withdraw", `${op} has nothing unbonding`, {});
    if (now < stake.unbondReadyAt) {
      throw new ClientRuleError(
        "unbond-not-ready",
        `${op}'s stake unbonds at ${stake.unbondReadyAt}, now ${now}`,
        {
          readyAt: stake.unbondReadyAt,
          now,
        },
      );
    }
    return this.#governance(
      this.proxy.proxy(
        this.deployment.stakeVault,
        this.utility.batchAll([
          this.assets.transfer(this.deployment.stakeAssetId, op, stake.unbonding),
          this.#remark({ t: "stake.withdrawn", operator: op, amount: stake.unbonding.toString() }),
        ]),
      ),
    );
  }

  // ---- escrow (2-of-3 multisig of requester, agent, arbiter; native token) ----

  escrowAccount(requester: string, agent: string, arbiter: string): string {
    return this.multisig.address(
      [requester, agent, arbiter].map((a) => this.#ss58(a)),
      2,
    );
  }

  async openEscrow(init: OpenEscrowInit): Promise<InclusionReceipt> {
    await this.ledger.sync();
    if (this.ledger.escrows.has(init.taskId)) {
      throw new ClientRuleError("escrow-exists", `task ${init.taskId} already has an escrow`, {
        taskId: init.taskId,
      });
    }
    const agent = this.#ss58(init.agent);
    const arbiter = this.#ss58(init.arbiter ?? this.deployment.defaultArbiter);
    if (new Set([this.address, agent, arbiter]).size !== 3) {
      throw new ClientRuleError(
        "escrow-parties",
        "requester, agent and arbiter must be three different accounts",
        {
          requester: this.address,
          agent,
          arbiter,
        },
      );
    }
    const stake = this.ledger.stakeOf(agent);
    if (stake.bonded < this.deployment.params.minimumStake) {
      throw new ClientRuleError(
        "agent-not-eligible",
        `agent ${agent} has ${stake.bonded} bonded, below the minimum ${this.deployment.params.minimumStake}`,
        { agent, bonded: stake.bonded, minimum: this.deployment.params.minimumStake },
      );
    }
    const free = await this.balances.free(this.address);
    if (free < init.amount)
      throw new InsufficientFundsError(this.address, "openEscrow", `balance ${free} < ${init.amount}`);
    const account = this.escrowAccount(this.address, agent, arbiter);
    return this.#submit(
      this.balances.transferKeepAlive(account, init.amount),
      this.#remark({
        t: "escrow.open",
        task: init.taskId,
        agent,
        arbiter,
        account,
        amount: init.amount.toString(),
        deadline: init.deadline,
      }),
    );
  }

  async escrow(taskId: string): Promise<EscrowState> {
    await this.ledger.sync();
    const e = this.ledger.escrows.get(taskId);
    if (!e) throw new NotFoundError("escrow", taskId);
    return e;
  }

  #settleCall(e: EscrowState, outcome: "released" | "refunded") {
    const to = outcome === "released" ? e.agent : e.requester;
    return this.utility.batchAll([
      this.balances.transfer(to, e.amount),
      this.#remark({ t: `escrow.${outcome}`, task: e.taskId }),
    ]);
  }

  /** The agent records its result and approves its own payment (the first of two signatures). */
  async submitResult(taskId: string, resultHash: string, lineageLeaf: string): Promise<InclusionReceipt> {
    const e = await this.escrow(taskId);
    if (this.address !== e.agent)
      throw new UnauthorizedSignerError(this.address, `submit the result of ${taskId}`, [e.agent]);
    if (e.status !== "open")
      throw new ClientRuleError("escrow-status", `task ${taskId} is ${e.status}`, { status: e.status });
    const now = await this.system.now();
    if (now > e.deadline) {
      throw new ClientRuleError(
        "deadline-passed",
        `task ${taskId}'s deadline ${e.deadline} has passed (now ${now})`,
        {
          deadline: e.deadline,
          now,
        },
      );
    }
    const call = this.#settleCall(e, "released");
    const others = this.multisig.others([e.requester, e.agent, e.arbiter], this.address);
    return this.#submit(
      this.#remark({ t: "escrow.result", task: taskId, resultHash, lineageLeaf }),
      this.multisig.approveAsMulti(2, others, undefined, call.method.hash.toHex()),
    );
  }

  /** Requester (or arbiter, for the agent) signs the payment to the agent; the second signature executes it. */
  async releaseEscrow(taskId: string): Promise<{ state: ApprovalState; receipt: InclusionReceipt }> {
    const e = await this.escrow(taskId);
    if (this.address !== e.requester && this.address !== e.arbiter && this.address !== e.agent) {
      throw new UnauthorizedSignerError(this.address, `release the escrow of ${taskId}`, [
        e.requester,
        e.arbiter,
      ]);
    }
    if (e.status === "released" || e.status === "refunded") {
      throw new ClientRuleError("escrow-status", `task ${taskId} is already ${e.status}`, {
        status: e.status,
      });
    }
    return approveOrExecute(
      this.client,
      this.signer,
      [e.requester, e.agent, e.arbiter],
      2,
      this.#settleCall(e, "released"),
      `release the escrow of ${taskId}`,
    );
  }

  /** Refund to the requester: the arbiter signs only after the deadline (its client enforces it). */
  async refundEscrow(taskId: string): Promise<{ state: ApprovalState; receipt: InclusionReceipt }> {
    const e = await this.escrow(taskId);
    if (this.address !== e.requester && this.address !== e.arbiter && this.address !== e.agent) {
      throw new UnauthorizedSignerError(this.address, `refund the escrow of ${taskId}`, [
        e.requester,
        e.arbiter,
      ]);
    }
    if (e.status === "released" || e.status === "refunded") {
      throw new ClientRuleError("escrow-status", `task ${taskId} is already ${e.status}`, {
        status: e.status,
      });
    }
    if (this.address === e.arbiter) {
      const now = await this.system.now();
      if (e.status === "submitted" || now <= e.deadline) {
        throw new ClientRuleError(
          "deadline-not-reached",
          `the arbiter refunds task ${taskId} only after its deadline ${e.deadline} without a result (now ${now}, ${e.status})`,
          { deadline: e.deadline, now, status: e.status },
        );
      }
    }
    return approveOrExecute(
      this.client,
      this.signer,
      [e.requester, e.agent, e.arbiter],
      2,
      this.#settleCall(e, "refunded"),
      `refund the escrow of ${taskId}`,
    );
  }

  // ---- insurance (pure proxy under governance; native token) ----

  async insure(taskId: string, coverage: bigint): Promise<{ premium: bigint; receipt: InclusionReceipt }> {
    const e = await this.escrow(taskId);
    if (e.requester !== this.address)
      throw new UnauthorizedSignerError(this.address, `insure task ${taskId}`, [e.requester]);
    if (e.status !== "open")
      throw new ClientRuleError("escrow-status", `task ${taskId} is ${e.status}`, { status: e.status });
    if (this.ledger.policies.has(taskId))
      throw new ClientRuleError("policy-exists", `task ${taskId} is already insured`, {});
    const premium = (coverage * BigInt(this.deployment.params.premiumBps)) / 10_000n;
    const pool = await this.balances.free(this.deployment.insurancePool);
    let active = 0n;
    for (const p of this.ledger.policies.values()) if (p.status === "active") active += p.coverage;
    const capacity = pool - this.balances.existentialDeposit - active;
    if (coverage <= 0n || coverage > capacity) {
      throw new ClientRuleError(
        "pool-capacity",
        `cover ${coverage} exceeds the pool's free capacity ${capacity}`,
        {
          coverage,
          capacity,
        },
      );
    }
    const receipt = await this.#submit(
      this.balances.transferKeepAlive(this.deployment.insurancePool, premium),
      this.#remark({
        t: "insurance.cover",
        task: taskId,
        coverage: coverage.toString(),
        premium: premium.toString(),
      }),
    );
    return { premium, receipt };
  }

  /** Governance pays the claim of an insured task whose escrow was refunded (the task failed). */
  async payClaim(taskId: string): Promise<InclusionReceipt> {
    this.#requireGovernance(`pay the claim of ${taskId}`);
    const e = await this.escrow(taskId);
    const policy = this.ledger.policies.get(taskId);
    if (!policy || policy.status !== "active") throw new NotFoundError("active policy for task", taskId);
    if (e.status !== "refunded") {
      throw new ClientRuleError("task-not-failed", `task ${taskId} is ${e.status}; only a failed task pays`, {
        status: e.status,
      });
    }
    return this.#governance(
      this.proxy.proxy(
        this.deployment.insurancePool,
        this.utility.batchAll([
          this.balances.transfer(policy.holder, policy.coverage),
          this.#remark({ t: "insurance.claimPaid", task: taskId }),
        ]),
      ),
    );
  }

  // ---- credits (issuer-minted asset, each holder frozen) ----

  #requireIssuer(action: string): void {
    if (this.address !== this.deployment.creditIssuer) {
      throw new UnauthorizedSignerError(this.address, action, [this.deployment.creditIssuer]);
    }
  }

  async mintCredits(to: string, amount: bigint, reason: string): Promise<InclusionReceipt> {
    this.#requireIssuer("mint credits");
    const who = this.#ss58(to);
    const id = this.deployment.creditAssetId;
    const account = await this.assets.account(id, who);
    return this.#submit(
      ...(account.isFrozen ? [this.assets.thaw(id, who)] : []),
      this.assets.mint(id, who, amount),
      this.assets.freeze(id, who),
      this.#remark({ t: "credits.mint", account: who, amount: amount.toString(), reason }),
    );
  }

  async burnCredits(from: string, amount: bigint, reason: string): Promise<InclusionReceipt> {
    this.#requireIssuer("burn credits");
    const who = this.#ss58(from);
    const id = this.deployment.creditAssetId;
    const account = await this.assets.account(id, who);
    if (account.balance < amount) {
      throw new InsufficientFundsError(who, "burnCredits", `credit balance ${account.balance} < ${amount}`);
    }
    return this.#submit(
      ...(account.isFrozen ? [this.assets.thaw(id, who)] : []),
      this.assets.burn(id, who, amount),
      ...(account.balance > amount ? [this.assets.freeze(id, who)] : []),
      this.#remark({ t: "credits.burn", account: who, amount: amount.toString(), reason }),
    );
  }

  async creditsOf(address: string): Promise<bigint> {
    return this.assets.balance(this.deployment.creditAssetId, this.#ss58(address));
  }

  // ---- lineage roots (remarks) ----

  async anchorRoot(root: string, leafCount: number): Promise<InclusionReceipt> {
    await this.ledger.sync();
    const existing = this.ledger.roots.get(root);
    if (existing) {
      throw new ClientRuleError(
        "root-anchored",
        `root ${root} was anchored in block ${existing.blockNumber}`,
        {
          root,
          blockNumber: existing.blockNumber,
        },
      );
    }
    const stake = this.ledger.stakeOf(this.address);
    if (stake.bonded < this.deployment.params.minimumStake) {
      throw new ClientRuleError(
        "not-eligible",
        `${this.address} has ${stake.bonded} bonded, below the minimum ${this.deployment.params.minimumStake}; bond before anchoring`,
        { bonded: stake.bonded, minimum: this.deployment.params.minimumStake },
      );
    }
    return this.#submit(this.#remark({ t: "root.anchor", root, leafCount }));
  }

  async rootOf(root: string) {
    await this.ledger.sync();
    return this.ledger.roots.get(root);
  }

  // ---- governance ----

  get isGovernance(): boolean {
    const members = this.deployment.governance.members;
    return (
      this.#governanceSigners.filter((s) => members.includes(this.#ss58(s.address))).length >=
      this.deployment.governance.threshold
    );
  }

  #requireGovernance(action: string): void {
    if (!this.isGovernance) {
      throw new UnauthorizedSignerError(
        this.address,
        `${action} (needs ${this.deployment.governance.threshold} governance signatures)`,
        [this.deployment.governance.account],
      );
    }
  }

  #governance(call: ReturnType<UtilityPallet["batchAll"]>): Promise<InclusionReceipt> {
    return executeMultisig(this.client, {
      members: this.deployment.governance.members,
      threshold: this.deployment.governance.threshold,
      signers: this.#governanceSigners,
      call,
    });
  }
}
