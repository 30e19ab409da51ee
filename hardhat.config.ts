import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";

// Compile offline with the solc that npm installed: Hardhat never downloads a compiler.
const require = createRequire(import.meta.url);
const solcVersion: string = require("solc/package.json").version;
const solcPath = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatMocha, hardhatNetworkHelpers],
  solidity: {
    compilers: [
      {
        version: solcVersion,
        path: solcPath,
        settings: {
          optimizer: { enabled: true, runs: 10_000 },
          evmVersion: "cancun",
          viaIR: false,
        },
      },
    ],
  },
  paths: {
    sources: "./contracts",
    tests: { mocha: "./test" },
  },
  test: {
    mocha: {
      timeout: 120_000,
    },
  },
  networks: {
    localhost: {
      type: "http",
      url: "http://127.0.0.1:8545",
    },
  },
});
