/**
 * `ainur task post | status | result`: a requester's tasks, through a requester node's HTTP API
 * (`--api <url>`, default: the running devnet's). A task is a one-step workflow whose agent is
 * "market": the node auctions it, escrows the budget, has the winner run it and anchors its lineage.
 */
import type { Command } from "../command.ts";
import { devnetInfo } from "../context.ts";
import type { GlobalFlags } from "../context.ts";
import { EXIT, EnvironmentError, UsageError } from "../errors.ts";

const API = {
  api: {
    type: "string" as const,
    placeholder: "url",
    description: "the requester node's API (default: the running devnet's)",
  },
  "data-dir": {
    type: "string" as const,
    placeholder: "dir",
    description: "devnet data directory (default .ainur/devnet)",
  },
};

function apiUrl(flags: GlobalFlags & { api?: unknown }): string {
  const url = (flags.api as string | undefined) ?? process.env.AINUR_API_URL ?? devnetInfo(flags)?.apiUrl;
  if (url === undefined)
    throw new EnvironmentError(
      "No requester node to talk to: start the devnet (npm start) or pass --api <url>.",
    );
  return url.replace(/\/$/, "");
}

async function call(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    throw new EnvironmentError(`The node API at ${url} does not answer: is the node running?`, {
      cause: error,
    });
  }
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const workflowId = (taskId: string): string => taskId.split("/")[0]!;

export const taskCommands: Command[] = [
  {
    path: ["task", "post"],
    summary: "post a task: auctioned, escrowed, executed, its lineage anchored",
    details: 'Example: ainur task post --capability text.uppercase --input \'{"text":"hello"}\'',
    options: {
      ...API,
      capability: {
        type: "string",
        placeholder: "name",
        description: "what the task needs, e.g. text.uppercase",
      },
      input: { type: "string", placeholder: "json", description: "the task's input, as JSON" },
      id: { type: "string", placeholder: "id", description: "the task id (default: task-<time>)" },
    },
    async run({ flags }) {
      const capability = flags.capability as string | undefined;
      if (capability === undefined) throw new UsageError("task post", "--capability is required.");
      let input: unknown = {};
      if (typeof flags.input === "string") {
        try {
          input = JSON.parse(flags.input);
        } catch {
          throw new UsageError("task post", `--input is not JSON: ${flags.input}`);
        }
      }
      const id = (flags.id as string | undefined) ?? `task-${Date.now()}`;
      const url = apiUrl(flags);
      const { status, body } = await call(`${url}/v1/workflows`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id, tasks: [{ id: "main", agent: "market", capability, input }] }),
      });
      if (status >= 400) {
        const e = body.error as { message?: string } | undefined;
        return {
          human: `the node refused the task: ${e?.message ?? status}`,
          json: body,
          exitCode: EXIT.failed,
        };
      }
      return {
        human: `posted ${id} (${capability}); follow it with: ainur task status ${id}`,
        json: { taskId: id, capability, ...body },
      };
    },
  },
  {
    path: ["task", "status"],
    summary: "a task's state and its events so far",
    args: "<task-id>",
    options: API,
    async run({ flags, positionals }) {
      const id = positionals[0];
      if (id === undefined) throw new UsageError("task status", "give the task id.");
      const url = apiUrl(flags);
      const wf = await call(`${url}/v1/workflows/${encodeURIComponent(workflowId(id))}`);
      if (wf.status === 404)
        return { human: `no task ${id} on this node`, json: wf.body, exitCode: EXIT.failed };
      const events = await call(`${url}/v1/tasks/${encodeURIComponent(`${workflowId(id)}/main`)}`);
      const list = ((events.body.events as { type: string; at: number }[] | undefined) ?? []).map(
        (e) => `  ${new Date(e.at).toISOString()}  ${e.type}`,
      );
      return {
        human: `${id}: ${String(wf.body.status)}\n${list.join("\n")}`,
        json: { taskId: id, workflow: wf.body, events: events.body.events ?? [] },
      };
    },
  },
  {
    path: ["task", "result"],
    summary: "a finished task's output, agent, price and lineage commitment",
    args: "<task-id>",
    options: API,
    async run({ flags, positionals }) {
      const id = positionals[0];
      if (id === undefined) throw new UsageError("task result", "give the task id.");
      const wf = await call(`${apiUrl(flags)}/v1/workflows/${encodeURIComponent(workflowId(id))}`);
      if (wf.status === 404)
        return { human: `no task ${id} on this node`, json: wf.body, exitCode: EXIT.failed };
      if (wf.body.status !== "completed") {
        return {
          human: `${id} is ${String(wf.body.status)}, not completed yet`,
          json: wf.body,
          exitCode: EXIT.failed,
        };
      }
      const outputs = wf.body.outputs as Record<string, unknown>;
      const out = (outputs.main ?? outputs) as Record<string, unknown>;
      return {
        human: [
          `${id}: completed`,
          `  result:     ${JSON.stringify(out.result)}`,
          `  agent:      ${String(out.agent)}`,
          `  price:      ${String(out.price)} wei`,
          `  commitment: ${String(out.commitment)}`,
          `  root:       ${String(out.root)}`,
        ].join("\n"),
        json: { taskId: id, ...out },
      };
    },
  },
];
