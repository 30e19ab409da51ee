/**
 * chain/evm: the ChainAdapter over ethers and the Ainur contracts. (Being written; see evm-adapter.ts.)
 */
import { ChainUnsupportedError } from "../errors.ts";
import type { ChainAdapter } from "../index.ts";

export interface EvmAdapterInit {
  rpcUrl?: string;
}

export function createEvmAdapter(_init: EvmAdapterInit): ChainAdapter {
  throw new ChainUnsupportedError("evm", "createEvmAdapter", "the EVM backend has not landed yet");
}
