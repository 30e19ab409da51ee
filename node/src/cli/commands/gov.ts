/** `ainur gov propose | vote | queue | execute`: parameter changes through the Governor and the timelock. */
import type { Command } from "../command.ts";
import { connectChain } from "../context.ts";
import { UsageError } from "../errors.ts";
import {
  GOVERNED_PARAMETERS,
  execute,
  findProposal,
  propose,
  proposalState,
  queue,
  vote,
} from "../../chain/evm/index.ts";

const needId = (command: string, id: string | undefined): string => {
  if (id === undefined || !/^[0-9]+$/.test(id))
    throw new UsageError(command, "give the proposal id (a number; `gov propose` prints it).");
  return id;
};

export const govCommands: Command[] = [
  {
    path: ["gov", "propose"],
    summary: "propose a parameter change (executed by the timelock if it passes)",
    details: `Parameters: ${Object.entries(GOVERNED_PARAMETERS)
      .map(([k, v]) => `${k} (${v.unit})`)
      .join(", ")}.\nExample: ainur gov propose --set minimumStake=150`,
    chain: true,
    options: {
      set: { type: "string", placeholder: "name=value", description: "the parameter and its new value" },
      description: { type: "string", placeholder: "text", description: "the proposal's description" },
    },
    async run({ flags }) {
      const set = flags.set as string | undefined;
      const m = set === undefined ? null : /^([A-Za-z]+)=(.+)$/.exec(set);
      if (m === null)
        throw new UsageError("gov propose", "give --set <name>=<value>, e.g. --set minimumStake=150.");
      const chain = await connectChain(flags, true);
      try {
        const p = await propose(chain, m[1]!, m[2]!, flags.description as string | undefined);
        const state = await proposalState(chain, p.id);
        return {
          human: `proposal ${p.id}\n  "${p.description}"\n  state: ${state}; vote with: ainur gov vote ${p.id}`,
          json: {
            proposalId: p.id.toString(),
            description: p.description,
            state,
            targets: p.targets,
            calldatas: p.calldatas,
          },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["gov", "vote"],
    summary: "vote on a proposal",
    args: "<proposal-id>",
    chain: true,
    options: {
      support: { type: "string", placeholder: "for|against|abstain", description: "the vote (default for)" },
    },
    async run({ flags, positionals }) {
      const id = BigInt(needId("gov vote", positionals[0]));
      const support = { against: 0, for: 1, abstain: 2 }[(flags.support as string | undefined) ?? "for"];
      if (support === undefined) throw new UsageError("gov vote", "--support is for, against or abstain.");
      const chain = await connectChain(flags, true);
      try {
        const tx = await vote(chain, id, support as 0 | 1 | 2);
        const state = await proposalState(chain, id);
        return {
          human: `voted ${flags.support ?? "for"} on ${id}; state: ${state}`,
          json: { proposalId: id.toString(), support, state, tx },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["gov", "queue"],
    summary: "queue a passed proposal in the timelock",
    args: "<proposal-id>",
    chain: true,
    async run({ flags, positionals }) {
      const chain = await connectChain(flags, true);
      try {
        const p = await findProposal(chain, needId("gov queue", positionals[0]));
        const tx = await queue(chain, p);
        const delay = await chain.call<bigint>("AinurTimelock", "getMinDelay");
        return {
          human: `queued ${p.id}; executable after the timelock delay of ${delay} s`,
          json: {
            proposalId: p.id.toString(),
            state: await proposalState(chain, p.id),
            delay: Number(delay),
            tx,
          },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["gov", "execute"],
    summary: "execute a queued proposal once its timelock delay has passed",
    args: "<proposal-id>",
    chain: true,
    async run({ flags, positionals }) {
      const chain = await connectChain(flags, true);
      try {
        const p = await findProposal(chain, needId("gov execute", positionals[0]));
        const tx = await execute(chain, p);
        return {
          human: `executed ${p.id}: "${p.description}"`,
          json: { proposalId: p.id.toString(), state: await proposalState(chain, p.id), tx },
        };
      } finally {
        chain.close();
      }
    },
  },
];
