/**
 * chain/evm: the ChainAdapter over ethers and the Ainur contracts (ABIs from Hardhat's artifacts).
 */
import { EvmAdapter } from "./evm-adapter.ts";
import type { EvmAdapterInit } from "./evm-adapter.ts";

export { EvmAdapter, taskKey } from "./evm-adapter.ts";
export type { EvmAdapterInit, EvmContracts } from "./evm-adapter.ts";

export function createEvmAdapter(init: EvmAdapterInit): EvmAdapter {
  return new EvmAdapter(init);
}
