/** The node's configuration file (JSON), checked with zod before anything starts. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const decimal = z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'a decimal amount of AINUR, e.g. "150" or "1.5"');

export const NodeConfigSchema = z.object({
  role: z.enum(["agent", "requester"]),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
  /** Where the node keeps its state (created). Relative paths are relative to the config file. */
  dataDir: z.string(),
  chain: z.object({
    kind: z.enum(["evm", "substrate"]).default("evm"),
    rpcUrl: z.string().url(),
    deploymentsFile: z.string(),
    privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  }),
  transport: z
    .object({
      listen: z.array(z.string()).default(["/ip4/127.0.0.1/tcp/0"]),
      peers: z.array(z.string()).default([]),
      /** 32-byte hex seed for the peer key, so the peer id survives restarts. */
      seed: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/)
        .optional(),
    })
    .default({}),
  agent: z
    .object({
      capabilities: z.array(z.string()).min(1),
      zones: z.array(z.string()).min(1),
      /** Stake to keep bonded, AINUR. */
      stake: decimal,
      strategy: z.object({ name: z.string(), floor: decimal, bps: z.number().int().optional() }),
      /** Capabilities this agent accepts but then fails (the devnet's injected failure). */
      failOn: z.array(z.string()).default([]),
    })
    .optional(),
  api: z
    .object({ port: z.number().int().min(0).max(65535).default(0), explorer: z.boolean().default(true) })
    .optional(),
});
export type NodeConfig = z.infer<typeof NodeConfigSchema>;

export class NodeConfigError extends Error {
  override name = "NodeConfigError";
  readonly file: string;
  constructor(file: string, detail: string) {
    super(`The node config ${file} is not valid: ${detail}. Fix the file and start again.`);
    this.file = file;
  }
}

export function parseNodeConfig(json: unknown, file = "(inline)"): NodeConfig {
  const parsed = NodeConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NodeConfigError(file, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const config = parsed.data;
  if (config.role === "agent" && config.agent === undefined) {
    throw new NodeConfigError(file, 'an agent node needs an "agent" section');
  }
  const base = file === "(inline)" ? process.cwd() : path.dirname(file);
  config.dataDir = path.resolve(base, config.dataDir);
  config.chain.deploymentsFile = path.resolve(base, config.chain.deploymentsFile);
  return config;
}

export async function loadNodeConfig(file: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new NodeConfigError(file, "the file cannot be read");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NodeConfigError(file, `it is not JSON (${(error as Error).message})`);
  }
  return parseNodeConfig(json, file);
}
