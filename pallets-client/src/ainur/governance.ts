/**
 * Multisig execution: governance operations (threshold of the members) and 2-of-3 escrows.
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { encodeAddress } from "@polkadot/util-crypto";
import type { Extrinsic, InclusionReceipt, SubstrateClient } from "../client.ts";
import { ClientRuleError, UnauthorizedSignerError } from "../errors.ts";
import { MultisigPallet } from "../pallets/multisig.ts";

export interface MultisigOperation {
  members: readonly string[];
  threshold: number;
  /** Keys of at least `threshold` distinct members. */
  signers: readonly KeyringPair[];
  call: Extrinsic;
}

/** Approve `call` with the first threshold−1 signers and execute it with the last; returns the executing receipt. */
export async function executeMultisig(
  client: SubstrateClient,
  op: MultisigOperation,
): Promise<InclusionReceipt> {
  const ss58 = client.api.registry.chainSS58 ?? 42;
  const multisig = new MultisigPallet(client.api);
  const members = op.members.map((m) => encodeAddress(m, ss58));
  const signers = op.signers.filter((s) => members.includes(encodeAddress(s.address, ss58)));
  if (signers.length < op.threshold) {
    throw new UnauthorizedSignerError(
      op.signers.map((s) => encodeAddress(s.address, ss58)).join(","),
      `execute a governance call (${op.threshold} of ${members.length} members must sign)`,
      members,
    );
  }
  const account = multisig.address(members, op.threshold);
  const callHash = op.call.method.hash.toHex();
  let receipt: InclusionReceipt | undefined;
  for (let i = 0; i < op.threshold; i++) {
    const signer = signers[i]!;
    const others = multisig.others(members, signer.address);
    const pending = await multisig.pending(account, callHash);
    if (pending?.approvals.includes(encodeAddress(signer.address, ss58))) continue;
    const last = i === op.threshold - 1;
    receipt = await client.submit(
      signer,
      last
        ? multisig.asMulti(op.threshold, others, pending?.when, op.call)
        : multisig.approveAsMulti(op.threshold, others, pending?.when, callHash),
    );
  }
  return receipt!;
}

export type ApprovalState = "pending" | "executed";

/**
 * One member's step on a threshold operation: the first approvals record intent, the last one
 * executes. Used by the 2-of-3 escrows, where each party signs with its own key.
 */
export async function approveOrExecute(
  client: SubstrateClient,
  signer: KeyringPair,
  members: readonly string[],
  threshold: number,
  call: Extrinsic,
  action: string,
): Promise<{ state: ApprovalState; receipt: InclusionReceipt }> {
  const ss58 = client.api.registry.chainSS58 ?? 42;
  const multisig = new MultisigPallet(client.api);
  const me = encodeAddress(signer.address, ss58);
  const all = members.map((m) => encodeAddress(m, ss58));
  if (!all.includes(me)) throw new UnauthorizedSignerError(me, action, all);
  const account = multisig.address(all, threshold);
  const callHash = call.method.hash.toHex();
  const pending = await multisig.pending(account, callHash);
  if (pending?.approvals.includes(me)) {
    throw new ClientRuleError(
      "already-approved",
      `${me} already approved this step (${action}); another party must sign.`,
      {
        account,
        callHash,
        approvals: pending.approvals,
      },
    );
  }
  const others = multisig.others(all, me);
  const approvals = (pending?.approvals.length ?? 0) + 1;
  if (approvals >= threshold) {
    return {
      state: "executed",
      receipt: await client.submit(signer, multisig.asMulti(threshold, others, pending?.when, call)),
    };
  }
  return {
    state: "pending",
    receipt: await client.submit(signer, multisig.approveAsMulti(threshold, others, pending?.when, callHash)),
  };
}
