/**
 * chain/substrate: the ChainAdapter over pallets-client (standard FRAME pallets on an Asset Hub-style
 * runtime). See pallets-client/README.md for what maps to what and which guarantees differ.
 */
import { SubstrateAdapter } from "./substrate-adapter.ts";
import type { SubstrateAdapterComponents, SubstrateAdapterInit } from "./substrate-adapter.ts";

export { SubstrateAdapter } from "./substrate-adapter.ts";
export type { SubstrateAdapterComponents, SubstrateAdapterInit } from "./substrate-adapter.ts";

export function createSubstrateAdapter(
  init: SubstrateAdapterInit,
  components: SubstrateAdapterComponents = {},
): SubstrateAdapter {
  return new SubstrateAdapter(init, components);
}
