/**
 * The award in the form `contracts/TaskEscrow.sol` takes (`award(taskId, agent, price, signature)`):
 * the EIP-712 struct
 *
 *   Award(bytes32 taskId, address agent, uint256 price)
 *
 * in the domain { name: "Ainur TaskEscrow", version: "1", chainId, verifyingContract: <escrow> },
 * signed by the auctioneer's account key, which must be the task's requester or hold the escrow's
 * AUCTIONEER_ROLE. The escrow recovers the signer with
 * `ECDSA.recover(_hashTypedDataV4(keccak256(abi.encode(AWARD_TYPEHASH, taskId, agent, price))), sig)`.
 * - `taskId`: the CFP id for a single-item auction (the requester funds the escrow task under the
 *   same id); for a VCG bundle keccak256(cfpId ‖ uint256(bundleMask)), one escrow task per bundle.
 * - `agent`: the winner's `payTo` address (for a coalition, the lead's; the share split is in the
 *   award's `payouts`, which the lead settles off-chain or through a splitter).
 * - `price`: the clearing payment in the token's smallest unit: market prices are integers in price
 *   units (≤ 2^48 − 1) and `price = payment × priceUnit` (e.g. priceUnit 10^12 wei = 10^-6 token).
 * - The deadline is not in the signed struct: the escrow fixes it when the task is funded (and refuses
 *   awards after it). The award message carries the CFP's `taskDeadline` for the agent's information.
 */
import {
  concatBytes,
  fromHex,
  keccak256,
  recoverAddress,
  toHex,
  typedDataDigest,
} from "../identity/index.ts";
import type { AgentKeys, Eip712Domain, Eip712Struct } from "../identity/index.ts";

export const AWARD_STRUCT: Eip712Struct = {
  name: "Award",
  fields: [
    { name: "taskId", type: "bytes32" },
    { name: "agent", type: "address" },
    { name: "price", type: "uint256" },
  ],
};

export interface EscrowConfig {
  chainId: number;
  /** The escrow contract's address. */
  verifyingContract: string;
  /** Token base units per market price unit. Default 1. */
  priceUnit?: bigint;
}

export interface EscrowAward {
  taskId: string;
  agent: string;
  /** In the token's base units. */
  price: bigint;
}

export function escrowDomain(escrow: EscrowConfig): Eip712Domain {
  return {
    name: "Ainur TaskEscrow",
    version: "1",
    chainId: escrow.chainId,
    verifyingContract: escrow.verifyingContract,
  };
}

export function awardDigest(escrow: EscrowConfig, award: EscrowAward): Uint8Array {
  return typedDataDigest(escrowDomain(escrow), AWARD_STRUCT, {
    taskId: award.taskId,
    agent: award.agent,
    price: award.price,
  });
}

export function signAward(keys: AgentKeys, escrow: EscrowConfig, award: EscrowAward): string {
  return keys.signTypedDigest(awardDigest(escrow, award));
}

/** The address that signed the award, or undefined. */
export function awardSigner(escrow: EscrowConfig, award: EscrowAward, signature: string): string | undefined {
  return recoverAddress(awardDigest(escrow, award), signature);
}

/** taskId of one VCG bundle: keccak256(cfpId ‖ uint256(mask)). */
export function bundleTaskId(cfpId: string, mask: number): string {
  return toHex(keccak256(concatBytes(fromHex(cfpId, 32), fromHex(mask.toString(16).padStart(64, "0"), 32))));
}
