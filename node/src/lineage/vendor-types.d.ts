// Type declarations for the parts of snarkjs 0.7, circom_runtime 0.1 and circomlibjs 0.1 that Ainur
// uses. None of them ships types. Keep these narrow: declare a function here only when code calls it.

declare module "snarkjs" {
  export type NumericString = string;
  export interface Groth16Proof {
    pi_a: NumericString[];
    pi_b: NumericString[][];
    pi_c: NumericString[];
    protocol: string;
    curve: string;
  }
  export interface VerificationKey {
    protocol: string;
    curve: string;
    nPublic: number;
    [key: string]: unknown;
  }
  export type CircuitSignals = Record<
    string,
    bigint | string | number | (bigint | string | number)[] | (bigint | string | number)[][]
  >;
  export const groth16: {
    /** Proves from a witness (`.wtns` bytes or path) with a proving key (bytes or path). */
    prove(
      zkeyFile: string | Uint8Array,
      witness: string | Uint8Array,
      logger?: unknown,
    ): Promise<{ proof: Groth16Proof; publicSignals: NumericString[] }>;
    fullProve(
      input: CircuitSignals,
      wasmFile: string | Uint8Array,
      zkeyFile: string | Uint8Array,
      logger?: unknown,
      wtnsCalcOptions?: unknown,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: NumericString[] }>;
    verify(
      vkey: VerificationKey,
      publicSignals: NumericString[],
      proof: Groth16Proof,
      logger?: unknown,
    ): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: NumericString[]): Promise<string>;
  };
  export const zKey: {
    newZKey(r1csFile: string, ptauFile: string, zkeyFile: string, logger?: unknown): Promise<unknown>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHash: string,
      numIterationsExp: number,
      logger?: unknown,
    ): Promise<unknown>;
    exportVerificationKey(zkeyFile: string | Uint8Array, logger?: unknown): Promise<VerificationKey>;
    exportSolidityVerifier(
      zkeyFile: string,
      templates: { groth16: string },
      logger?: unknown,
    ): Promise<string>;
  };
  export const wtns: {
    calculate(
      input: CircuitSignals,
      wasmFile: string,
      wtnsFile: string | { type: "mem"; data?: Uint8Array },
    ): Promise<void>;
    check(
      r1csFile: string,
      wtnsFile: string | { type: "mem"; data?: Uint8Array },
      logger?: unknown,
    ): Promise<boolean>;
  };
  export const r1cs: {
    info(
      r1csFile: string,
      logger?: unknown,
    ): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number }>;
  };
}

declare module "circom_runtime" {
  import type { CircuitSignals } from "snarkjs";
  /** A circuit's witness generator, built from its circom wasm; reusable across inputs. */
  export interface WitnessCalculator {
    /** The witness in `.wtns` format; `sanityCheck` also checks that every input was assigned. */
    calculateWTNSBin(input: CircuitSignals, sanityCheck?: boolean): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(wasm: Uint8Array): Promise<WitnessCalculator>;
}

declare module "circomlibjs" {
  export interface PoseidonField {
    toObject(element: Uint8Array): bigint;
    e(value: bigint | number | string): Uint8Array;
  }
  export interface Poseidon {
    (inputs: (bigint | number | string | Uint8Array)[]): Uint8Array;
    F: PoseidonField;
  }
  export function buildPoseidon(): Promise<Poseidon>;
}
