/**
 * What the explorer shows, read from the chain and the requester node: agents with stake and
 * reputation, tasks and auctions, lineage records (with a verify action), governance parameters
 * and proposals.
 */
import { formatAmount } from "../chain/units.ts";
import type { LineageService } from "../lineage/lineage.ts";
import { verifyProofFile } from "../lineage/proof-file.ts";
import type { ExplorerSource, ExplorerState } from "../explorer/index.ts";
import { PROPOSAL_STATE } from "../chain/evm/index.ts";
import type { EvmChain } from "../chain/evm/index.ts";
import { onChainCheck } from "./requester-node.ts";
import type { RequesterNode } from "./requester-node.ts";

export function chainExplorerSource(
  chain: EvmChain,
  requester: RequesterNode,
  lineage: LineageService,
): ExplorerSource {
  return {
    async state(): Promise<ExplorerState> {
      const total = Number(await chain.call<bigint>("AgentRegistry", "totalAgents"));
      const agents: ExplorerState["agents"] = [];
      for (let id = 1; id <= total; id++) {
        const operator = await chain.call<string>("AgentRegistry", "ownerOf", id).catch(() => undefined);
        if (operator === undefined) continue;
        const did = await chain.call<string>("AgentRegistry", "didOf", id);
        const uri = await chain.call<string>("AgentRegistry", "tokenURI", id).catch(() => "");
        const stake = await chain.call<{ bonded: bigint }>("ReputationStaking", "stakeOf", operator);
        const record = await chain.call<{ completed: bigint; failed: bigint }>(
          "ReputationStaking",
          "recordOf",
          operator,
        );
        const score = await chain.call<bigint>("ReputationStaking", "scoreOf", operator);
        agents.push({
          id,
          did,
          operator,
          uri,
          stake: formatAmount(stake.bonded),
          score: score.toString(),
          completed: Number(record.completed),
          failed: Number(record.failed),
        });
      }
      const tasks: ExplorerState["tasks"] = [...requester.outcomes.values()].map((o) => ({
        taskId: o.taskId,
        capability: o.capability,
        status: o.status === "completed" ? "completed" : o.error === undefined ? "running" : "failed",
        bids: o.bids.map((b) => ({ did: b.did, price: formatAmount(BigInt(b.price)), strategy: b.strategy })),
        winner: o.winner?.did ?? null,
        price: o.price === undefined ? null : formatAmount(BigInt(o.price)),
        error: o.error ?? null,
        commitment: o.commitment ?? null,
        root: o.root ?? null,
        anchorBlock: o.anchorBlock ?? null,
        hasProof: o.proof !== undefined,
      }));
      const governance: ExplorerState["governance"] = {
        parameters: {
          minimumStake:
            formatAmount(await chain.call<bigint>("ReputationStaking", "minimumStake")) + " AINUR",
          unbondDelay: `${await chain.call<bigint>("ReputationStaking", "unbondDelay")} s`,
          escrowFeeBps: String(await chain.call<bigint>("TaskEscrow", "feeBps")),
          escrowSlashCapBps: String(await chain.call<bigint>("ReputationStaking", "slashCapBps", 0)),
          votingPeriod: `${await chain.call<bigint>("AinurGovernor", "votingPeriod")} blocks`,
          timelockDelay: `${await chain.call<bigint>("AinurTimelock", "getMinDelay")} s`,
        },
        proposals: [],
      };
      const governor = chain.contract("AinurGovernor");
      const logs = await governor.queryFilter(
        governor.filters.ProposalCreated!(),
        chain.deployments.startBlock ?? 0,
      );
      for (const log of logs) {
        const args = (log as unknown as { args: { proposalId: bigint; description: string } }).args;
        const state = await chain.call<bigint>("AinurGovernor", "state", args.proposalId);
        governance.proposals.push({
          id: args.proposalId.toString(),
          description: args.description,
          state: PROPOSAL_STATE[Number(state)] ?? String(state),
        });
      }
      return {
        chainId: chain.deployments.chainId,
        block: await chain.blockNumber(),
        lineage: { records: lineage.size, root: "0x" + lineage.root().toString(16).padStart(64, "0") },
        agents,
        tasks,
        governance,
      };
    },

    async verify(taskId: string) {
      const outcome = requester.outcomes.get(taskId);
      if (outcome?.proof === undefined) return undefined;
      return verifyProofFile(outcome.proof, { onChain: (f) => onChainCheck(chain, f, false) });
    },
  };
}
