/** `ainur credits balance` and `ainur bid strategy`. */
import { formatAmount, parseAmount } from "../../chain/units.ts";
import type { Command } from "../command.ts";
import { connectChain } from "../context.ts";
import { UsageError } from "../errors.ts";
import { STRATEGY_NAMES } from "../../market/index.ts";
import { BidPricer } from "../../node/bidding.ts";

export const miscCommands: Command[] = [
  {
    path: ["credits", "balance"],
    summary: "usage credits held by an account (non-transferable; burned to pay fees)",
    args: "[address]",
    chain: true,
    async run({ flags, positionals }) {
      const chain = await connectChain(flags, false);
      try {
        const account = positionals[0] ?? chain.address;
        if (!/^0x[0-9a-fA-F]{40}$/.test(account))
          throw new UsageError("credits balance", `"${account}" is not an address.`);
        const balance = await chain.call<bigint>("UsageCredits", "balanceOf", account);
        const minted = await chain.call<bigint>("UsageCredits", "mintedTo", account);
        return {
          human: `${account}: ${formatAmount(balance)} credits (${formatAmount(minted)} minted to it in all)`,
          json: { account, balance: formatAmount(balance), minted: formatAmount(minted) },
        };
      } finally {
        chain.close();
      }
    },
  },
  {
    path: ["bid", "strategy"],
    summary: "show what each bid strategy (or one) would bid for a task",
    details:
      "floor bids its cost (the best strategy under second-price clearing); load-aware adds bps per queued task;\n" +
      "premium adds a margin; undercut bids below cost. Agents pick one in their node config (agent.strategy).",
    options: {
      name: {
        type: "string",
        placeholder: STRATEGY_NAMES.join("|"),
        description: "one strategy (default: all)",
      },
      floor: { type: "string", placeholder: "AINUR", description: "the agent's cost per task (default 1)" },
      bps: { type: "string", placeholder: "n", description: "the strategy's basis points" },
      budget: { type: "string", placeholder: "AINUR", description: "the task's budget (default 5)" },
      queue: { type: "string", placeholder: "n", description: "tasks already queued (default 0)" },
    },
    async run({ flags }) {
      const names = flags.name === undefined ? [...STRATEGY_NAMES] : [flags.name as string];
      for (const n of names) {
        if (!(STRATEGY_NAMES as readonly string[]).includes(n)) {
          throw new UsageError(
            "bid strategy",
            `no strategy "${n}": use one of ${STRATEGY_NAMES.join(", ")}.`,
          );
        }
      }
      const num = (v: unknown, d: string, what: string): string => {
        const s = (v as string | undefined) ?? d;
        if (!/^[0-9]+(\.[0-9]+)?$/.test(s))
          throw new UsageError("bid strategy", `--${what} must be a number, got "${s}".`);
        return s;
      };
      const floor = parseAmount(num(flags.floor, "1", "floor"));
      const budget = parseAmount(num(flags.budget, "5", "budget"));
      const queueDepth = Number(num(flags.queue, "0", "queue"));
      const bps = flags.bps === undefined ? undefined : Number(num(flags.bps, "0", "bps"));
      const rows = names.map((name) => {
        const s = new BidPricer({ name, floor, ...(bps === undefined ? {} : { bps }) });
        const price = s.price({ capability: "any", taskKey: "0x" + "00".repeat(32), budget, queueDepth });
        return { strategy: name, bid: price === null ? null : formatAmount(price) };
      });
      return {
        human: [
          `cost ${formatAmount(floor)} AINUR, budget ${formatAmount(budget)} AINUR, ${queueDepth} queued:`,
          ...rows.map(
            (r) => `  ${r.strategy.padEnd(11)} ${r.bid === null ? "no bid (over budget)" : r.bid + " AINUR"}`,
          ),
        ].join("\n"),
        json: { floor: formatAmount(floor), budget: formatAmount(budget), queueDepth, bids: rows },
      };
    },
  },
];
