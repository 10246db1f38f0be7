// The TRON development node as a library: `startTronDevNode` starts the chain and its HTTP API in this
// process and returns its URL, `mine()` for tests that produce blocks on demand, and `close()`.
import { pino, type Logger } from "pino";
import { toBase58 } from "../../common/tron/address.ts";
import { TronChain, type Block } from "./chain.ts";
import { defaultGenesis, type Genesis } from "./genesis.ts";
import { BlockProducer } from "./producer.ts";
import { createHttpApi } from "./routes.ts";

export interface TronDevNodeOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 9090; 0 picks a free port. */
  readonly port?: number;
  /** Default 3000 (TRON's 3 s). */
  readonly blockIntervalMs?: number;
  /** `interval` (default) makes a block every interval; `manual` only when `mine()` is called. */
  readonly mining?: "interval" | "manual";
  /** How many blocks the solidified block lags the head. Default 19, as on TRON. */
  readonly solidityDepth?: number;
  /** Default: Hardhat's development accounts funded with TRX and BTTOLD. */
  readonly genesis?: Genesis;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Milliseconds since the epoch, for block timestamps (default Date.now). */
  readonly now?: () => number;
}

export interface TronDevNode {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:9090 (TronWeb's `fullHost`). */
  readonly url: string;
  readonly chain: TronChain;
  /** Produces `blocks` blocks at once (default 1) and returns the last. */
  mine(blocks?: number): Block;
  /** Stops block production and the HTTP server. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 9090;
export const DEFAULT_BLOCK_INTERVAL_MS = 3000;
export const DEFAULT_SOLIDITY_DEPTH = 19;

export async function startTronDevNode(options: TronDevNodeOptions = {}): Promise<TronDevNode> {
  const logger = options.logger ?? pino({ level: "silent" });
  const host = options.host ?? "127.0.0.1";
  const blockIntervalMs = options.blockIntervalMs ?? DEFAULT_BLOCK_INTERVAL_MS;
  if (!Number.isSafeInteger(blockIntervalMs) || blockIntervalMs <= 0) {
    throw new RangeError(`blockIntervalMs must be a positive integer, got ${blockIntervalMs}`);
  }
  const chain = new TronChain({
    genesis: options.genesis ?? defaultGenesis().genesis,
    blockIntervalMs: BigInt(blockIntervalMs),
    solidityDepth: BigInt(options.solidityDepth ?? DEFAULT_SOLIDITY_DEPTH),
    ...(options.now ? { now: options.now } : {}),
    onDropped: (tx, error) => logger.warn({ txid: tx.id, code: error.code, detail: error.detail }, "pending transaction dropped"),
  });

  const produce = (): Block => {
    const block = chain.produceBlock();
    const level = block.transactions.length > 0 ? "info" : "debug";
    logger[level]({ number: block.header.number, id: block.id, transactions: block.transactions.length }, "block produced");
    return block;
  };
  const producer = new BlockProducer(produce, blockIntervalMs, logger);

  const app = createHttpApi(chain, logger);
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? DEFAULT_PORT);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  if ((options.mining ?? "interval") === "interval") producer.start();
  logger.info(
    { url, witness: toBase58(chain.witnessAddress), genesis: chain.head.id, blockIntervalMs, solidityDepth: chain.solidityDepth },
    "TRON development node listening",
  );

  let closed: Promise<void> | undefined;
  return {
    url,
    chain,
    mine(blocks = 1) {
      if (!Number.isSafeInteger(blocks) || blocks < 1) throw new RangeError(`cannot mine ${blocks} blocks`);
      let block = produce();
      for (let i = 1; i < blocks; i++) block = produce();
      return block;
    },
    close() {
      producer.stop();
      closed ??= app.close();
      return closed;
    },
  };
}
