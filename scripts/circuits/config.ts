/**
 * The circuits this repo builds, and where each one's generated files live. One entry per
 * `component main`; scripts/circuits/build.ts and check-fresh.ts read nothing else.
 */
export interface CircuitConfig {
  /** File stem: circuits/<name>.circom, circuits/build/<name>/, circuits/keys/<name>.zkey. */
  name: string;
  /** Name of the generated Solidity verifier contract (contracts/verifiers/<verifier>.sol). */
  verifier: string;
  /** Powers of tau used for its Groth16 setup: 2^power ≥ constraints + public inputs + 1. */
  ptauPower: number;
  /**
   * "snarkjs": snarkjs's verifier contract. "anchored": our library for circuits whose first public
   * input is a root anchored in LineageRegistry, which precomputes that input's term at anchoring.
   */
  template: "snarkjs" | "anchored";
}

export const CIRCUITS: readonly CircuitConfig[] = [
  { name: "inclusion20", verifier: "Inclusion20Verifier", ptauPower: 13, template: "snarkjs" },
  { name: "lineage20", verifier: "Lineage20Verifier", ptauPower: 13, template: "anchored" },
  { name: "lineage20batch", verifier: "LineageBatchVerifier", ptauPower: 15, template: "anchored" },
];

/** sha256("Ainur circuit keys v1"): the public beacon that finishes every phase-2 key. */
export const ZKEY_BEACON = "2788e4fe7d4e55d70d65c7851346f8daa5acab31e9d731a461ea394aad1a75bd";
export const ZKEY_BEACON_ITERATIONS_EXP = 10;
