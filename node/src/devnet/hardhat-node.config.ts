/**
 * The Hardhat config `hardhat node` runs with in the devnet (`hardhat --config <this file> node`):
 * the default simulated network, except that the genesis block's timestamp comes from
 * `AINUR_DEVNET_GENESIS_TIMESTAMP` (seconds). Everything else in a Hardhat chain is deterministic
 * (accounts, mix hashes, beacon roots), so two nodes with the same genesis timestamp that mine the
 * same transactions at the same timestamps build the same blocks, hash for hash: that is what lets
 * the chain journal (chain/evm/chain-journal.ts) rebuild the devnet's chain after a restart.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "hardhat/config";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const genesis = process.env.AINUR_DEVNET_GENESIS_TIMESTAMP;

export default defineConfig({
  // The node task watches the build info for stack traces: the project's own artifacts.
  paths: { artifacts: path.join(root, "artifacts"), cache: path.join(root, "cache") },
  networks: {
    node: {
      type: "edr-simulated",
      ...(genesis === undefined ? {} : { initialDate: new Date(Number(genesis) * 1000) }),
    },
  },
});
