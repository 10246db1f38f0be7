// For tests of TRON swaps end to end: a TRON development node next to a relayer cluster (mined in the
// background, solidifying a few blocks deep), the TRON chain entry of a node's configuration, and exact
// balances read from the node's HTTP API (int64 as decimal strings, never JS numbers).
import { createTronWeb } from "../common/rpc/tronweb.ts";
import { TronHttp } from "../relayer/chains/tron/http.ts";
import { readInt64 } from "../relayer/chains/tron/blocks.ts";
import { hardhatAccounts, HARDHAT_MNEMONIC, type DevAccount } from "../devnet/tron/genesis.ts";
import { startTestNode, type TestNode } from "../devnet/tron/testing.ts";
import { CHAIN_IDS } from "./constants.ts";

/** Hardhat's first 20 accounts, each funded with TRX and BTTOLD by the development node's genesis. */
export const TRON_ACCOUNTS: readonly DevAccount[] = hardhatAccounts(HARDHAT_MNEMONIC, 20);

export interface MinedTronNode extends TestNode {
  /** Stops (or starts again) the background mining. */
  pauseMining(paused: boolean): void;
  /** Balance of `token` ("TRX" or a TRC-10 id) of `address` (base58) at the head. */
  balance(address: string, token: string): Promise<bigint>;
  stop(): Promise<void>;
}

/** A development node mining a block every `mineEveryMs` (unless paused), solidifying `depth` deep. */
export async function startMinedTronNode(mineEveryMs: number, depth = 3): Promise<MinedTronNode> {
  const test = await startTestNode({ solidityDepth: depth });
  let paused = false;
  const miner = setInterval(() => {
    if (!paused) test.node.mine();
  }, mineEveryMs);
  const http = new TronHttp("tron", createTronWeb({ fullHost: test.node.url }));
  return {
    ...test,
    pauseMining: (value) => {
      paused = value;
    },
    balance: async (address, token) => {
      const account = await http.get("wallet", "getaccount", { address, visible: true });
      if (token === "TRX") return readInt64(account.balance, "balance");
      const assets = Array.isArray(account.assetV2) ? (account.assetV2 as { key: string; value: unknown }[]) : [];
      const entry = assets.find((a) => a.key === token);
      return entry ? readInt64(entry.value, `${token} balance`) : 0n;
    },
    stop: async () => {
      clearInterval(miner);
      await test.node.close();
    },
  };
}

export interface TronEntryOptions {
  fullHost: string;
  depositAddress: string;
  /** Where the deposit key is (only the node that forwards burns and refunds gets one). */
  depositKey?: { env: string } | { file: string };
  minimumUnits?: bigint;
  pollIntervalMs?: number;
  burn?: { batchSize: number; intervalMs: number; settleMs: number };
}

/** The `chains[]` entry of a relayer configuration for the TRON development node. */
export function tronChainEntry(options: TronEntryOptions): Record<string, unknown> {
  return {
    name: "tron",
    family: "tron",
    chainId: CHAIN_IDS.tron.toString(),
    fullHost: options.fullHost,
    depositAddress: options.depositAddress,
    ...(options.depositKey ? { depositKey: options.depositKey } : {}),
    minimumUnits: (options.minimumUnits ?? 1n).toString(),
    swapTo: "bttc",
    startBlock: "0",
    pollIntervalMs: options.pollIntervalMs ?? 100,
    ...(options.burn ? { burn: options.burn } : {}),
  };
}
