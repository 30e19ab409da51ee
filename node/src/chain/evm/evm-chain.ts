/**
 * `EvmChain`: the Ainur contracts over ethers, for what the `ChainAdapter` (evm-adapter.ts) does not
 * cover: funding the
 * escrow before the auction and awarding after it, acceptance with a rating, insurance cover on an
 * awarded task, the LineageRegistry's verifier calls, governance, the CLI's read-outs, and the
 * devnet's time travel. Registration, bonding, results and anchoring go through the adapter, which
 * shares this object's nonce-managed signer (`transactionSigner`). Every transaction sent here
 * counts its gas (`gasUsed`).
 */
import { readFile } from "node:fs/promises";
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  getAddress,
  id,
  keccak256,
  toUtf8Bytes,
} from "ethers";
import type { ContractTransactionReceipt, InterfaceAbi } from "ethers";
import { readArtifact } from "../../../../scripts/deploy/deploy.ts";

/** Contract name → address and deploy block, as the deployments file holds them. */
export type DeploymentMap = Record<string, { address: string; block: number; txHash?: string }>;

export interface Deployments {
  chainId: string;
  deployer?: string;
  startBlock?: number;
  contracts: DeploymentMap;
}

export interface EvmChainInit {
  rpcUrl: string;
  /** The deployments file (written by deployAinur / the devnet). */
  deploymentsFile: string;
  /** The account's private key (0x-hex). Read-only use may pass none. */
  privateKey?: string;
}

/** A contract the command needs is not in the deployments file. */
export class ContractNotDeployedError extends Error {
  override name = "ContractNotDeployedError";
  readonly contractName: string;
  readonly file: string;
  constructor(contractName: string, file: string) {
    super(
      `${contractName} is not in the deployments file ${file}: deploy it (npm start) or pass --deployments.`,
    );
    this.contractName = contractName;
    this.file = file;
  }
}

/** A transaction reverted; `reason` is the decoded custom error when the ABI knows it. */
export class ChainTransactionError extends Error {
  override name = "ChainTransactionError";
  readonly contractName: string;
  readonly method: string;
  readonly reason: string;
  constructor(contractName: string, method: string, reason: string, cause: unknown) {
    super(`${contractName}.${method} failed: ${reason}`, { cause });
    this.contractName = contractName;
    this.method = method;
    this.reason = reason;
  }
}

const SOURCES: Record<string, string> = {
  LineageRegistry: "LineageRegistry.sol",
};

/** Status names of TaskEscrow.Status, in order. */
export const TASK_STATUS = [
  "None",
  "Funded",
  "Awarded",
  "Submitted",
  "Released",
  "Refunded",
  "Failed",
  "Disputed",
] as const;

/** Governor proposal states, in OpenZeppelin's order. */
export const PROPOSAL_STATE = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;

export async function readDeployments(file: string): Promise<Deployments> {
  return JSON.parse(await readFile(file, "utf8")) as Deployments;
}

export class EvmChain {
  readonly provider: JsonRpcProvider;
  readonly deployments: Deployments;
  readonly address: string;
  private readonly signer: NonceManager | undefined;
  private readonly wallet: Wallet | undefined;
  private readonly contracts = new Map<string, Contract>();
  private readonly file: string;
  /** Gas used by the transactions this object sent. */
  gasUsed = 0n;
  transactions = 0;

  private constructor(init: EvmChainInit, deployments: Deployments) {
    this.provider = new JsonRpcProvider(init.rpcUrl, undefined, {
      staticNetwork: true,
      pollingInterval: 200,
    });
    this.deployments = deployments;
    this.file = init.deploymentsFile;
    if (init.privateKey !== undefined) {
      this.wallet = new Wallet(init.privateKey, this.provider);
      this.signer = new NonceManager(this.wallet);
      this.address = this.wallet.address;
    } else {
      this.address = "0x0000000000000000000000000000000000000000";
    }
  }

  static async connect(init: EvmChainInit): Promise<EvmChain> {
    const chain = new EvmChain(init, await readDeployments(init.deploymentsFile));
    for (const name of Object.keys(chain.deployments.contracts)) {
      const artifact = await readArtifact(name, undefined, SOURCES[name]).catch(() => undefined);
      if (artifact === undefined) continue;
      chain.contracts.set(
        name,
        new Contract(
          chain.deployments.contracts[name]!.address,
          artifact.abi as InterfaceAbi,
          chain.signer ?? chain.provider,
        ),
      );
    }
    return chain;
  }

  /** The account's signer (nonce-managed): share it with the ChainAdapter so both use one nonce sequence. */
  get transactionSigner(): NonceManager {
    if (this.signer === undefined) throw new Error("this chain connection has no key.");
    return this.signer;
  }

  has(name: string): boolean {
    return this.contracts.has(name);
  }

  contract(name: string): Contract {
    const c = this.contracts.get(name);
    if (c === undefined) throw new ContractNotDeployedError(name, this.file);
    return c;
  }

  /** A view call. */
  async call<T = unknown>(name: string, method: string, ...args: unknown[]): Promise<T> {
    try {
      return (await this.contract(name)
        .getFunction(method)
        .staticCall(...args)) as T;
    } catch (error) {
      throw this.explain(name, method, error);
    }
  }

  /** Sends a transaction and waits for it; counts its gas. */
  async send(name: string, method: string, ...args: unknown[]): Promise<ContractTransactionReceipt> {
    if (this.signer === undefined) throw new Error(`${name}.${method} needs a key: pass --key.`);
    try {
      const tx = await this.contract(name)
        .getFunction(method)
        .send(...args);
      const receipt = (await tx.wait()) as ContractTransactionReceipt;
      this.gasUsed += receipt.gasUsed;
      this.transactions++;
      return receipt;
    } catch (error) {
      this.signer.reset();
      throw this.explain(name, method, error);
    }
  }

  /** Events a receipt carries from one contract, parsed. */
  events(name: string, receipt: ContractTransactionReceipt, event: string): Record<string, unknown>[] {
    const c = this.contract(name);
    const out: Record<string, unknown>[] = [];
    for (const log of receipt.logs) {
      try {
        const parsed = c.interface.parseLog(log);
        if (parsed?.name === event) out.push(parsed.args.toObject() as Record<string, unknown>);
      } catch {
        // another contract's log
      }
    }
    return out;
  }

  private explain(name: string, method: string, error: unknown): Error {
    const e = error as {
      data?: string;
      info?: { error?: { data?: string } };
      shortMessage?: string;
      message: string;
    };
    const data = e.data ?? e.info?.error?.data;
    if (typeof data === "string" && data.length >= 10) {
      for (const c of this.contracts.values()) {
        try {
          const parsed = c.interface.parseError(data);
          if (parsed) {
            return new ChainTransactionError(
              name,
              method,
              `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})`,
              error,
            );
          }
        } catch {
          // not this contract's error
        }
      }
    }
    return new ChainTransactionError(name, method, e.shortMessage ?? e.message, error);
  }

  // ----- identity and signatures -----

  /** Signs an award in the form TaskEscrow.award takes (EIP-712 over the escrow's domain). */
  async signAward(taskId: string, agent: string, price: bigint): Promise<string> {
    if (this.wallet === undefined) throw new Error("signing an award needs a key.");
    const digest = await this.call<string>("TaskEscrow", "awardDigest", taskId, agent, price);
    return this.wallet.signingKey.sign(digest).serialized;
  }

  async chainId(): Promise<string> {
    return (await this.provider.getNetwork()).chainId.toString();
  }

  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  // ----- devnet-only time travel (Hardhat's JSON-RPC) -----

  async increaseTime(seconds: number): Promise<void> {
    await this.provider.send("evm_increaseTime", [seconds]);
    await this.provider.send("evm_mine", []);
  }

  async mine(blocks: number): Promise<void> {
    await this.provider.send("hardhat_mine", ["0x" + blocks.toString(16)]);
  }

  async timestamp(): Promise<number> {
    const block = await this.provider.getBlock("latest");
    return block!.timestamp;
  }

  close(): void {
    this.provider.destroy();
  }
}

export const hashDescription = (description: string): string => keccak256(toUtf8Bytes(description));
/** keccak256 of a UTF-8 string as 0x-hex (how capabilities, zones and roles become bytes32). */
export const textHash = (text: string): string => id(text);
export const checksum = (address: string): string => getAddress(address);

/** Hardhat's development mnemonic: the accounts every `hardhat node` funds. Devnet use only. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Private key of development account `index` (m/44'/60'/0'/0/index). */
export function devAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** The address of a private key. */
export const addressOf = (privateKey: string): string => new Wallet(privateKey).address;
