/**
 * `node scripts/deploy/main.ts [--rpc <url>] [--out <file>]`: deploys Ainur to a running JSON-RPC node
 * (default http://127.0.0.1:8545, e.g. `npx hardhat node --hostname 127.0.0.1`) with the node's first
 * unlocked account, and writes `.ainur/deployments/<chainId>.json` (or `--out`).
 */
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { defaultDeploymentsFile, deployAinur } from "./deploy.ts";

const { values } = parseArgs({ options: { rpc: { type: "string" }, out: { type: "string" } } });
const provider = new JsonRpcProvider(values.rpc ?? "http://127.0.0.1:8545", undefined, {
  staticNetwork: true,
});
try {
  const signer = await provider.getSigner(0);
  const chainId = (await provider.getNetwork()).chainId;
  const file = values.out ?? defaultDeploymentsFile(chainId);
  await deployAinur(signer, { deploymentsFile: file, log: (line) => console.log(line) });
  console.log(`deployments written to ${file}`);
} finally {
  provider.destroy();
}
