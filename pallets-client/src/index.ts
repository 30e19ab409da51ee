/**
 * pallets-client: Substrate clients for Ainur on @polkadot/api. See README.md for what maps to what.
 */
export { SubstrateClient, callOf, MissingCallError, withTimeout } from "./client.ts";
export type { Extrinsic, InclusionReceipt, ReceiptEvent, SubstrateClientInit } from "./client.ts";
export * from "./errors.ts";
export { SystemPallet } from "./pallets/system.ts";
export { BalancesPallet } from "./pallets/balances.ts";
export { UtilityPallet } from "./pallets/utility.ts";
export { MultisigPallet, DEFAULT_MAX_WEIGHT } from "./pallets/multisig.ts";
export type { PendingMultisig, Timepoint } from "./pallets/multisig.ts";
export { ProxyPallet } from "./pallets/proxy.ts";
export { AssetsPallet } from "./pallets/assets.ts";
export type { AssetAccount, AssetDetails } from "./pallets/assets.ts";
export { UniquesPallet } from "./pallets/uniques.ts";
export type { UniqueClass, UniqueItem } from "./pallets/uniques.ts";
export { AinurSubstrateClient } from "./ainur/ainur-client.ts";
export type { AgentProfile, AgentRecord, AinurClientInit, OpenEscrowInit } from "./ainur/ainur-client.ts";
export { AinurLedger } from "./ainur/ledger.ts";
export type {
  AgentState,
  AinurEvent,
  AinurListener,
  EscrowState,
  EscrowStatus,
  PolicyState,
  RootState,
  StakeState,
  UtidState,
} from "./ainur/ledger.ts";
export {
  deployAinurSubstrate,
  deploymentFromJson,
  deploymentToJson,
  DEFAULT_SUBSTRATE_PARAMS,
} from "./ainur/deployment.ts";
export type {
  AinurSubstrateDeployment,
  AinurSubstrateParams,
  DeployAinurSubstrateInit,
} from "./ainur/deployment.ts";
export { executeMultisig, approveOrExecute } from "./ainur/governance.ts";
export type { ApprovalState, MultisigOperation } from "./ainur/governance.ts";
export { encodeRemark, remarksInBlock, REMARK_PREFIX } from "./ainur/records.ts";
export type { RemarkPayload, RemarkRecord } from "./ainur/records.ts";
export { startDevChain, DevChainStartError, DEFAULT_DEV_ACCOUNTS, DEFAULT_ENDOWMENT } from "./dev-chain.ts";
export type { DevChain, DevChainInit } from "./dev-chain.ts";
export { startTcpRelay } from "./tcp-relay.ts";
export type { TcpRelay } from "./tcp-relay.ts";
