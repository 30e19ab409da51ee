/**
 * Shared helpers for the contract tests. The repo has no generated contract typings (typechain needs a
 * network download of its targets), so contracts are handled as `Untyped`: ethers checks every call
 * against the ABI at runtime, and the tests exercise every call.
 */
import type { Contract } from "ethers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the file comment
export type Untyped = any;

/** Gives an ethers `Contract` its dynamic methods (including on `connect(...)`) without typings. */
export function untyped(contract: Contract): Untyped {
  return contract;
}
