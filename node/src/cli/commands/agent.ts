/** `ainur agent register | stake | unbond | status`: an operator's agent on-chain. */
import { textHash } from "../../chain/evm/index.ts";
import { MAX_UINT256, formatAmount, parseAmount } from "../../chain/units.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../context.ts";
import { UsageError } from "../errors.ts";

const amountOf = (command: string, value: string | undefined): bigint => {
  if (value === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(value)) {
    throw new UsageError(
      command,
      `give an amount of AINUR, e.g. \`ainur ${command} 150\`${value === undefined ? "" : ` (got "${value}")`}.`,
    );
  }
  return parseAmount(value);
};

const list = (v: unknown): string[] =>
  typeof v === "string" && v.length > 0 ? v.split(",").map((s) => s.trim()) : [];

export const agentCommands: Command[] = [
  {
    path: ["agent", "register"],
    summary: "register an agent DID in the AgentRegistry, with capabilities and zones",
    chain: true,
    options: {
      uri: {
        type: "string",
        placeholder: "uri",
        description: "the agent's card URI (default ainur://agent/<address>)",
      },
      capabilities: {
        type: "string",
        placeholder: "a,b",
        description: "capabilities it serves, comma-separated",
      },
      zones: { type: "string", placeholder: "eu,us", description: "jurisdiction zones it runs in" },
    },
    async run({ flags, say }) {
      const chain = await connectChain(flags, true);
      try {
        const uri = (flags.uri as string | undefined) ?? `ainur://agent/${chain.address}`;
        const receipt = await chain.send("AgentRegistry", "register(string)", uri);
        const agentId = String(chain.events("AgentRegistry", receipt, "Registered")[0]!.agentId);
        say(`registered agent ${agentId} in block ${receipt.blockNumber}`);
        const caps = list(flags.capabilities);
        const zones = list(flags.zones);
        if (caps.length > 0)
          await chain.send(
            "AgentRegistry",
            "updateCapabilities",
            agentId,
            caps.map((c) => textHash(c)),
            [],
          );
        if (zones.length > 0)
          await chain.send(
            "AgentRegistry",
            "updateZones",
            agentId,
            zones.map((z) => textHash(z)),
            [],
          );
        const did = await chain.call<string>("AgentRegistry", "didOf", agentId);
        return {
          human: `${did}\n  agent id:     ${agentId}\n  operator:     ${chain.address}\n  capabilities: ${caps.join(", ") || "(none)"}\n  zones:        ${zones.join(", ") || "(none)"}\n  block:        ${receipt.blockNumber}`,
          json: {
            did,
            agentId,
            operator: chain.address,
            capabilities: caps,
            zones,
            block: receipt.blockNumber,
            tx: receipt.hash,
          },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["agent", "stake"],
    summary: "bond AINUR on the operator's reputation (ReputationStaking.bond)",
    args: "<amount>",
    chain: true,
    async run({ flags, positionals }) {
      const amount = amountOf("agent stake", positionals[0]);
      const chain = await connectChain(flags, true);
      try {
        const staking = chain.deployments.contracts.ReputationStaking!.address;
        if ((await chain.call<bigint>("AinurToken", "allowance", chain.address, staking)) < amount) {
          await chain.send("AinurToken", "approve", staking, MAX_UINT256);
        }
        const receipt = await chain.send("ReputationStaking", "bond", amount);
        const info = await chain.call<{ bonded: bigint }>("ReputationStaking", "stakeOf", chain.address);
        const eligible = await chain.call<boolean>("ReputationStaking", "isEligible", chain.address);
        return {
          human: `bonded ${formatAmount(amount)} AINUR; stake now ${formatAmount(info.bonded)} AINUR (${eligible ? "eligible to bid" : "below the minimum stake"})`,
          json: { operator: chain.address, bonded: formatAmount(info.bonded), eligible, tx: receipt.hash },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["agent", "unbond"],
    summary: "start unbonding AINUR (withdrawable after the unbond delay)",
    args: "<amount>",
    chain: true,
    async run({ flags, positionals }) {
      const amount = amountOf("agent unbond", positionals[0]);
      const chain = await connectChain(flags, true);
      try {
        const receipt = await chain.send("ReputationStaking", "requestUnbond", amount);
        const info = await chain.call<{ bonded: bigint; unbonding: bigint; unbondReadyAt: bigint }>(
          "ReputationStaking",
          "stakeOf",
          chain.address,
        );
        const ready = new Date(Number(info.unbondReadyAt) * 1000).toISOString();
        return {
          human: `unbonding ${formatAmount(info.unbonding)} AINUR, withdrawable at ${ready}; still bonded ${formatAmount(info.bonded)} AINUR`,
          json: {
            operator: chain.address,
            bonded: formatAmount(info.bonded),
            unbonding: formatAmount(info.unbonding),
            readyAt: ready,
            tx: receipt.hash,
          },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["agent", "status"],
    summary: "an operator's agents, stake, reputation record and score",
    args: "[address]",
    chain: true,
    async run({ flags, positionals }) {
      const chain = await connectChain(flags, false);
      try {
        const operator = positionals[0] ?? chain.address;
        if (!/^0x[0-9a-fA-F]{40}$/.test(operator))
          throw new UsageError("agent status", `"${operator}" is not an address.`);
        const total = Number(await chain.call<bigint>("AgentRegistry", "totalAgents"));
        const dids: string[] = [];
        for (let i = 1; i <= total; i++) {
          const owner = await chain.call<string>("AgentRegistry", "ownerOf", i).catch(() => "");
          if (owner.toLowerCase() === operator.toLowerCase())
            dids.push(await chain.call<string>("AgentRegistry", "didOf", i));
        }
        const stake = await chain.call<{ bonded: bigint; unbonding: bigint }>(
          "ReputationStaking",
          "stakeOf",
          operator,
        );
        const record = await chain.call<{ completed: bigint; failed: bigint; disputesLost: bigint }>(
          "ReputationStaking",
          "recordOf",
          operator,
        );
        const score = await chain.call<bigint>("ReputationStaking", "scoreOf", operator);
        const eligible = await chain.call<boolean>("ReputationStaking", "isEligible", operator);
        const json = {
          operator,
          dids,
          bonded: formatAmount(stake.bonded),
          unbonding: formatAmount(stake.unbonding),
          eligible,
          completed: Number(record.completed),
          failed: Number(record.failed),
          disputesLost: Number(record.disputesLost),
          score: score.toString(),
        };
        return {
          human: [
            `operator ${operator}`,
            `  agents:    ${dids.join(", ") || "(none registered)"}`,
            `  stake:     ${json.bonded} AINUR bonded, ${json.unbonding} unbonding (${eligible ? "eligible" : "not eligible"})`,
            `  record:    ${json.completed} completed, ${json.failed} failed, ${json.disputesLost} disputes lost`,
            `  score:     ${json.score}`,
          ].join("\n"),
          json,
        };
      } finally {
        chain.close();
      }
    },
  },
];
