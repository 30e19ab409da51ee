/** The devnet's agent nodes: five operators that differ in strategy, cost, zone and capabilities. */
export interface DevnetAgentSpec {
  name: string;
  zones: string[];
  capabilities: string[];
  strategy: { name: string; floor: string; bps?: number };
  stake: string;
  failOn: string[];
}

export const DEVNET_AGENTS: DevnetAgentSpec[] = [
  {
    name: "agent-1",
    zones: ["eu"],
    capabilities: ["text.uppercase", "text.word-count", "math.sum"],
    strategy: { name: "floor", floor: "1.0" },
    stake: "400",
    failOn: [],
  },
  {
    name: "agent-2",
    zones: ["us"],
    capabilities: ["text.uppercase", "text.concat", "hash.sha256"],
    strategy: { name: "load-aware", floor: "1.2", bps: 2500 },
    stake: "300",
    failOn: [],
  },
  {
    name: "agent-3",
    zones: ["apac"],
    capabilities: ["text.word-count", "math.sum", "hash.sha256", "text.concat"],
    strategy: { name: "premium", floor: "0.9", bps: 3000 },
    stake: "250",
    failOn: [],
  },
  {
    name: "agent-4",
    zones: ["eu", "us"],
    capabilities: ["text.uppercase", "hash.sha256", "text.concat", "text.word-count"],
    strategy: { name: "undercut", floor: "1.1", bps: 1500 },
    stake: "350",
    failOn: [],
  },
  {
    name: "agent-5",
    zones: ["us"],
    capabilities: ["text.echo", "math.sum"],
    strategy: { name: "floor", floor: "0.8" },
    stake: "200",
    // The injected failure: this agent wins echo tasks and then fails them.
    failOn: ["text.echo"],
  },
];

/** More than five agents (--agents n) repeat the roster with new names. */
export function agentSpecs(count: number): DevnetAgentSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const base = DEVNET_AGENTS[i % DEVNET_AGENTS.length]!;
    return { ...base, name: `agent-${i + 1}`, failOn: i < DEVNET_AGENTS.length ? base.failOn : [] };
  });
}
