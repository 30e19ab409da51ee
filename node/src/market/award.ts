/**
 * The award in the form the escrow contract takes: the EIP-712 struct
 *
 *   Award(bytes32 taskId, address agent, uint256 price, uint64 deadline)
 *
 * in the domain { name: "Ainur TaskEscrow", version: "1", chainId, verifyingContract: <escrow> },
 * signed by the auctioneer's (requester's) account key. The escrow recovers the signer with
 * `ECDSA.recover(_hashTypedDataV4(keccak256(abi.encode(AWARD_TYPEHASH, taskId, agent, price,
 * deadline))), signature)` and checks it is the task's requester. `taskId` is the CFP id for a
 * single-item auction; for a VCG bundle it is keccak256(cfpId ‖ uint256(bundleMask)), one escrow
 * entry per winning bundle. `agent` is the winner's `payTo` address (for a coalition: the lead's; the
 * share split is in the award's `payouts`). `price` is the payment, `deadline` the task deadline in
 * seconds.
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
    { name: "deadline", type: "uint64" },
  ],
};

export interface EscrowConfig {
  chainId: number;
  /** The escrow contract's address. */
  verifyingContract: string;
}

export interface EscrowAward {
  taskId: string;
  agent: string;
  price: bigint;
  deadline: number;
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
  return typedDataDigest(escrowDomain(escrow), AWARD_STRUCT, { ...award, deadline: BigInt(award.deadline) });
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
