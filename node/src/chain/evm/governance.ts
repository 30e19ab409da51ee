/**
 * Governance through the Governor and its timelock: propose a parameter change, vote, queue and
 * execute. Proposals are found again from the Governor's `ProposalCreated` events, so queue and
 * execute need only the proposal id.
 */
import { Interface } from "ethers";
import { parseAmount } from "../units.ts";
import type { EvmChain } from "./evm-chain.ts";
import { PROPOSAL_STATE, hashDescription } from "./evm-chain.ts";

/** The parameters `gov propose --set <name>=<value>` can change, and the call that changes each. */
export const GOVERNED_PARAMETERS: Record<
  string,
  { contract: string; method: string; unit: string; encode: (value: string) => unknown[] }
> = {
  minimumStake: {
    contract: "ReputationStaking",
    method: "setMinimumStake(uint256)",
    unit: "AINUR",
    encode: (v) => [parseAmount(v)],
  },
  unbondDelay: {
    contract: "ReputationStaking",
    method: "setUnbondDelay(uint64)",
    unit: "seconds",
    encode: (v) => [BigInt(v)],
  },
  escrowSlashCapBps: {
    contract: "ReputationStaking",
    method: "setSlashCap(uint8,uint16)",
    unit: "basis points",
    encode: (v) => [0, Number(v)],
  },
  feeBps: {
    contract: "TaskEscrow",
    method: "setFee(uint16)",
    unit: "basis points",
    encode: (v) => [Number(v)],
  },
};

export class UnknownParameterError extends Error {
  override name = "UnknownParameterError";
  readonly parameter: string;
  constructor(parameter: string) {
    super(
      `"${parameter}" is not a governed parameter: use one of ${Object.keys(GOVERNED_PARAMETERS).join(", ")}.`,
    );
    this.parameter = parameter;
  }
}

export class UnknownProposalError extends Error {
  override name = "UnknownProposalError";
  readonly proposalId: string;
  constructor(proposalId: string) {
    super(`No proposal ${proposalId} was created on this Governor; check the id (gov propose prints it).`);
    this.proposalId = proposalId;
  }
}

export interface Proposal {
  id: bigint;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
}

export async function propose(
  chain: EvmChain,
  parameter: string,
  value: string,
  description?: string,
): Promise<Proposal> {
  const p = GOVERNED_PARAMETERS[parameter];
  if (p === undefined) throw new UnknownParameterError(parameter);
  const target = chain.deployments.contracts[p.contract]!.address;
  const calldata = new Interface([`function ${p.method}`]).encodeFunctionData(
    p.method.split("(")[0]!,
    p.encode(value),
  );
  const text = description ?? `Set ${parameter} to ${value} ${p.unit}`;
  // Votes count from the block before voting starts: delegate first (a no-op when already delegated).
  const delegate = await chain.call<string>("AinurToken", "delegates", chain.address);
  if (delegate.toLowerCase() !== chain.address.toLowerCase())
    await chain.send("AinurToken", "delegate", chain.address);
  const receipt = await chain.send("AinurGovernor", "propose", [target], [0n], [calldata], text);
  const created = chain.events("AinurGovernor", receipt, "ProposalCreated")[0]!;
  return {
    id: created.proposalId as bigint,
    targets: [target],
    values: [0n],
    calldatas: [calldata],
    description: text,
  };
}

export async function findProposal(chain: EvmChain, proposalId: string | bigint): Promise<Proposal> {
  const governor = chain.contract("AinurGovernor");
  const logs = await governor.queryFilter(
    governor.filters.ProposalCreated!(),
    chain.deployments.startBlock ?? 0,
  );
  for (const log of logs) {
    // ProposalCreated(proposalId, proposer, targets, values, signatures, calldatas, voteStart, voteEnd,
    // description), read by position: `values` is also a method of ethers' Result.
    const a = (log as unknown as { args: unknown[] }).args;
    if ((a[0] as bigint) === BigInt(proposalId)) {
      return {
        id: a[0] as bigint,
        targets: [...(a[2] as string[])],
        values: [...(a[3] as bigint[])],
        calldatas: [...(a[5] as string[])],
        description: a[8] as string,
      };
    }
  }
  throw new UnknownProposalError(String(proposalId));
}

export async function proposalState(chain: EvmChain, id: bigint): Promise<string> {
  return PROPOSAL_STATE[Number(await chain.call<bigint>("AinurGovernor", "state", id))] ?? "Unknown";
}

export async function vote(chain: EvmChain, id: bigint, support: 0 | 1 | 2): Promise<string> {
  return (await chain.send("AinurGovernor", "castVote", id, support)).hash;
}

export async function queue(chain: EvmChain, p: Proposal): Promise<string> {
  return (
    await chain.send(
      "AinurGovernor",
      "queue",
      p.targets,
      p.values,
      p.calldatas,
      hashDescription(p.description),
    )
  ).hash;
}

export async function execute(chain: EvmChain, p: Proposal): Promise<string> {
  return (
    await chain.send(
      "AinurGovernor",
      "execute",
      p.targets,
      p.values,
      p.calldatas,
      hashDescription(p.description),
    )
  ).hash;
}
