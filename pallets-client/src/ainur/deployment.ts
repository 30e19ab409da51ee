/**
 * What an Ainur deployment on a Substrate chain is: a governance multisig, two pure proxies it
 * controls (the stake vault and the insurance pool), a stake asset and a credit asset.
 */
import { encodeAddress } from "@polkadot/util-crypto";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { SubstrateClient, InclusionReceipt } from "../client.ts";
import { AssetsPallet } from "../pallets/assets.ts";
import { BalancesPallet } from "../pallets/balances.ts";
import { MultisigPallet } from "../pallets/multisig.ts";
import { ProxyPallet } from "../pallets/proxy.ts";
import { UtilityPallet } from "../pallets/utility.ts";
import { executeMultisig } from "./governance.ts";

export interface AinurSubstrateParams {
  /** Stake an agent needs to be awarded work (stake-asset units). */
  minimumStake: bigint;
  /** Milliseconds between an unbond request and its payout (enforced by governance's client). */
  unbondDelayMs: number;
  /** Largest slash per incident, in basis points of the operator's stake (enforced by governance's client). */
  slashCapBps: number;
  /** Flat premium, basis points of the coverage (the EVM pool prices from reputation and utilisation). */
  premiumBps: number;
}

export interface AinurSubstrateDeployment {
  genesisHash: string;
  ss58: number;
  startBlock: number;
  governance: { members: string[]; threshold: number; account: string };
  stakeVault: string;
  insurancePool: string;
  stakeAssetId: number;
  creditAssetId: number;
  creditIssuer: string;
  /** Arbiter of escrows that do not name one. */
  defaultArbiter: string;
  params: AinurSubstrateParams;
}

export interface DeployAinurSubstrateInit {
  /** Governance members (SS58) and threshold; `signers` hold the keys of at least `threshold` members. */
  members: readonly string[];
  threshold: number;
  signers: readonly KeyringPair[];
  /** Pays the deposits: funds the governance account, the vault and the pool. */
  funder: KeyringPair;
  creditIssuer: string;
  defaultArbiter: string;
  /** Stake tokens minted at deployment (stake-asset units). */
  stakeHolders?: readonly { address: string; amount: bigint }[];
  stakeAssetId?: number;
  creditAssetId?: number;
  params?: Partial<AinurSubstrateParams>;
  /** Native tokens given to the governance account, the vault and the pool for deposits (default 100 ROC). */
  seed?: bigint;
}

export const DEFAULT_SUBSTRATE_PARAMS: AinurSubstrateParams = {
  minimumStake: 100n * 10n ** 12n,
  unbondDelayMs: 7 * 86_400_000,
  slashCapBps: 5_000,
  premiumBps: 200,
};

/**
 * Deploy Ainur on a chain: governance creates the vault and pool proxies and both assets in one
 * multisig operation (a batch), so the deployment is all or nothing.
 */
export async function deployAinurSubstrate(
  client: SubstrateClient,
  init: DeployAinurSubstrateInit,
): Promise<AinurSubstrateDeployment> {
  const api = client.api;
  const ss58 = api.registry.chainSS58 ?? 42;
  const multisig = new MultisigPallet(api);
  const assets = new AssetsPallet(api);
  const balances = new BalancesPallet(api);
  const utility = new UtilityPallet(api);
  const proxy = new ProxyPallet(api);
  const members = init.members.map((m) => encodeAddress(m, ss58));
  const governance = multisig.address(members, init.threshold);
  const seed = init.seed ?? 100n * 10n ** 12n;
  const stakeAssetId = init.stakeAssetId ?? 7_001;
  const creditAssetId = init.creditAssetId ?? 7_002;
  const startBlock = (await api.rpc.chain.getHeader()).number.toNumber();

  await client.submit(init.funder, balances.transferKeepAlive(governance, seed * 3n));

  const calls = [
    proxy.createPure(0),
    proxy.createPure(1),
    assets.create(stakeAssetId, governance, 1n),
    assets.setMetadata(stakeAssetId, "Ainur stake", "AINS", 12),
    assets.create(creditAssetId, governance, 1n),
    assets.setMetadata(creditAssetId, "Ainur usage credits", "AINC", 0),
    assets.setTeam(creditAssetId, init.creditIssuer, init.creditIssuer, init.creditIssuer),
    ...(init.stakeHolders ?? []).map((h) => assets.mint(stakeAssetId, h.address, h.amount)),
  ];
  const receipt: InclusionReceipt = await executeMultisig(client, {
    members,
    threshold: init.threshold,
    signers: init.signers,
    call: utility.batchAll(calls),
  });
  const pures = receipt.events
    .filter((e) => e.section === "proxy" && (e.method === "AnonymousCreated" || e.method === "PureCreated"))
    .map((e) => encodeAddress(e.data[0]!.toString(), ss58));
  if (pures.length !== 2)
    throw new Error(`deployAinurSubstrate: expected 2 pure proxies, got ${pures.length}`);
  const [stakeVault, insurancePool] = pures as [string, string];

  // The vault and the pool must exist (hold the existential deposit) to receive assets.
  await client.submit(
    init.funder,
    utility.batchAll([
      balances.transferKeepAlive(stakeVault, seed),
      balances.transferKeepAlive(insurancePool, seed),
    ]),
  );

  return {
    genesisHash: api.genesisHash.toHex(),
    ss58,
    startBlock,
    governance: { members, threshold: init.threshold, account: governance },
    stakeVault,
    insurancePool,
    stakeAssetId,
    creditAssetId,
    creditIssuer: encodeAddress(init.creditIssuer, ss58),
    defaultArbiter: encodeAddress(init.defaultArbiter, ss58),
    params: { ...DEFAULT_SUBSTRATE_PARAMS, ...init.params },
  };
}

/** The deployment as JSON (bigints as decimal strings), for a deployments file a node config points at. */
export function deploymentToJson(deployment: AinurSubstrateDeployment): string {
  return JSON.stringify(deployment, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n";
}

/** Parse {@link deploymentToJson}'s output; throws a clear error on a file of another shape. */
export function deploymentFromJson(json: string): AinurSubstrateDeployment {
  const raw = JSON.parse(json) as AinurSubstrateDeployment & { params: Record<string, unknown> };
  for (const key of [
    "genesisHash",
    "governance",
    "stakeVault",
    "insurancePool",
    "stakeAssetId",
    "creditAssetId",
    "params",
  ]) {
    if (!(key in raw)) throw new Error(`not an Ainur Substrate deployment: "${key}" is missing`);
  }
  return {
    ...raw,
    params: {
      minimumStake: BigInt(String(raw.params.minimumStake)),
      unbondDelayMs: Number(raw.params.unbondDelayMs),
      slashCapBps: Number(raw.params.slashCapBps),
      premiumBps: Number(raw.params.premiumBps),
    },
  };
}
