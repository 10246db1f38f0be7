import { createRequire } from "node:module";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import { defineConfig } from "hardhat/config";
import { DEVNET_CHAIN_IDS } from "./common/chains/registry.ts";

const require = createRequire(import.meta.url);

function solc(evmVersion: "berlin" | "cancun" | "prague") {
  return {
    version: "0.8.30",
    path: require.resolve("solc/soljson.js"),
    settings: { evmVersion, optimizer: { enabled: true, runs: 1_000_000 }, viaIR: true },
  };
}

function devnetChain(hardfork: "berlin" | "cancun" | "prague", chainId: bigint) {
  return {
    type: "edr-simulated",
    chainType: "l1",
    hardfork,
    chainId: Number(chainId),
    mining: { auto: true, interval: 1_000 },
    accounts: { accountsBalance: 10n ** 30n },
  } as const;
}

export default defineConfig({
  plugins: [hardhatEthers, hardhatNetworkHelpers, hardhatNodeTestRunner],
  solidity: {
    // Compiled offline: the `solc` npm package ships the compiler as WebAssembly, so Hardhat never
    // has to download one (these machines reach only the npm registry).
    compilers: [solc("prague")],
    // Each chain under its own rules (docs/protocol.md, "Chains"): what the bridge deploys on BTTC is
    // compiled for Berlin, BTTC's last fork (no PUSH0, transient storage, MCOPY, BASEFEE); the remote
    // gateway for Cancun, the older of Ethereum's (Prague) and BNB Chain's (Cancun) rules.
    overrides: {
      "contracts/BttcGateway.sol": solc("berlin"),
      "contracts/governance/BridgeTimelock.sol": solc("berlin"),
      "contracts/mocks/BridgeLoad.sol": solc("berlin"),
      "contracts/mocks/HostileRecipients.sol": solc("berlin"),
      "contracts/RemoteGateway.sol": solc("cancun"),
    },
  },
  paths: {
    tests: { nodejs: "test", solidity: "test/contracts" },
  },
  // In-process simulated chains with the devnet's chain ids (docs/protocol.md, "Chains"), so that tests and benchmarks
  // move value between three real chains.
  networks: {
    hardhat: { type: "edr-simulated", chainType: "l1" },
    // Each with its chain's rules: BTTC Berlin (no base fee: legacy transactions only), Ethereum
    // Prague, BNB Chain Cancun.
    bttcSim: { type: "edr-simulated", chainType: "l1", chainId: Number(DEVNET_CHAIN_IDS.bttc), hardfork: "berlin" },
    ethereumSim: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: Number(DEVNET_CHAIN_IDS.ethereum),
      hardfork: "prague",
    },
    bscSim: { type: "edr-simulated", chainType: "l1", chainId: Number(DEVNET_CHAIN_IDS.bsc), hardfork: "cancun" },
    // The local testnet's chains (`npm start` runs one `hardhat node --network devnet<Chain> --chain-id …`
    // per chain), each under its mainnet's rules (docs/operations.md, "The devnet's chains"): BTTC
    // Berlin (no base fee, no type-2 transactions, no PUSH0/TSTORE/MCOPY), Ethereum Prague, BSC Cancun.
    // A block every second (docs/protocol.md, "Finality"), and each transaction mined at once as well, so
    // that deploying takes seconds, not a block per transaction. Demo accounts hold 10^12 coins each, so
    // the BTTC deployer can fund a redenomination reserve large enough for every demo account's BTTOLD.
    devnetBttc: devnetChain("berlin", DEVNET_CHAIN_IDS.bttc),
    devnetEthereum: devnetChain("prague", DEVNET_CHAIN_IDS.ethereum),
    devnetBsc: devnetChain("cancun", DEVNET_CHAIN_IDS.bsc),
    // The tests' `hardhat node` chains (testkit/hardhat-node.ts): mined on demand, under one chain's rules.
    nodeBerlin: { type: "edr-simulated", chainType: "l1", hardfork: "berlin" },
    nodeCancun: { type: "edr-simulated", chainType: "l1", hardfork: "cancun" },
    nodePrague: { type: "edr-simulated", chainType: "l1", hardfork: "prague" },
  },
});
