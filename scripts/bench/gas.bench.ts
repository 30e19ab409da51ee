/**
 * `npm run bench -- gas`: gas used by the main user-facing contract calls, from the same scenario as the
 * committed gas snapshot (scripts/gas/measure.ts), on an in-process Hardhat network.
 */
import { network } from "hardhat";
import { measureGas } from "../gas/measure.ts";
import type { BenchResult, BenchSuite } from "./types.ts";

const IDS: Record<string, string> = {
  "gas.register": "AgentRegistry.register()",
  "gas.register_uri": "AgentRegistry.register(uri)",
  "gas.bond": "ReputationStaking.bond",
  "gas.unbond": "ReputationStaking.requestUnbond",
  "gas.create_escrow": "TaskEscrow.createTask",
  "gas.award": "TaskEscrow.award",
  "gas.submit_result": "TaskEscrow.submitResult",
  "gas.accept": "TaskEscrow.accept",
  "gas.release": "TaskEscrow.release",
  "gas.timeout_fail": "TaskEscrow.timeout (fail, slash, insurance claim)",
  "gas.dispute_vote": "TaskEscrow.vote",
  "gas.dispute_resolve": "TaskEscrow.resolveDispute",
  "gas.pool_deposit": "InsurancePool.deposit",
  "gas.buy_cover": "InsurancePool.buyCover",
  "gas.credits_mint": "UsageCredits.mint",
  "gas.utid_mint": "UTIDRegistry.mint",
  "gas.governor_propose": "AinurGovernor.propose",
  "gas.governor_vote": "AinurGovernor.castVote",
  "gas.governor_execute": "AinurGovernor.execute",
};

const suite: BenchSuite = {
  name: "gas (EVM contracts)",
  ids: Object.keys(IDS),
  async run(selected) {
    const connection = await network.create();
    try {
      const gas = await measureGas(connection);
      const results: BenchResult[] = [];
      for (const [benchId, key] of Object.entries(IDS)) {
        if (!selected(benchId)) continue;
        const value = gas[key];
        if (value === undefined) throw new Error(`gas bench: the scenario did not measure ${key}`);
        results.push({ id: benchId, value, unit: "gas", better: "lower" });
      }
      return results;
    } finally {
      await connection.close();
    }
  },
};

export default suite;
