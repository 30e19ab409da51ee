/**
 * chain/evm: the ChainAdapter over ethers and the Ainur contracts (ABIs from Hardhat's artifacts),
 * plus what the adapter does not cover: `EvmChain` (escrow funding and award, acceptance, insurance
 * cover, the LineageRegistry's verifier calls, read-outs, devnet time travel), governance
 * (propose / vote / queue / execute), the devnet deployment and the devnet's chain journal. The only
 * folder that imports ethers:
 * the node, the CLI and the devnet use these exports.
 */
import { EvmAdapter } from "./evm-adapter.ts";
import type { EvmAdapterInit } from "./evm-adapter.ts";

export { EvmAdapter, taskKey } from "./evm-adapter.ts";
export type { EvmAdapterInit, EvmContracts } from "./evm-adapter.ts";
export {
  EvmChain,
  ChainTransactionError,
  ContractNotDeployedError,
  TASK_STATUS,
  PROPOSAL_STATE,
  DEV_MNEMONIC,
  readDeployments,
  hashDescription,
  textHash,
  checksum,
  devAccountKey,
  addressOf,
} from "./evm-chain.ts";
export type { Deployments, DeploymentMap, EvmChainInit } from "./evm-chain.ts";
export {
  GOVERNED_PARAMETERS,
  UnknownParameterError,
  UnknownProposalError,
  propose,
  findProposal,
  proposalState,
  vote,
  queue,
  execute,
} from "./governance.ts";
export type { Proposal } from "./governance.ts";
export { deployAll } from "./deploy-devnet.ts";
export {
  ChainJournal,
  ChainJournalDivergedError,
  ChainJournalError,
  followChain,
  replayJournal,
} from "./chain-journal.ts";
export type { JournalFollower, ReplayResult } from "./chain-journal.ts";
export type { DeployResult } from "./deploy-devnet.ts";

export function createEvmAdapter(init: EvmAdapterInit): EvmAdapter {
  return new EvmAdapter(init);
}
