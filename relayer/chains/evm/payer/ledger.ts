// What a payer shares with the other processes of its node that send from the same key on the same chain,
// in Redis under the node's prefix: a lock around nonce assignment and broadcast (one sender at a time,
// across processes), the next nonce, and each transaction sent (request, fees, every hash, the newest
// signed bytes), so that a confirm job running in another process than the one that sent can still
// replace a stuck transaction. A process killed while holding the lock blocks the others for at most
// LOCK_TTL_MS; one killed between a broadcast and the write of the next nonce leaves it one behind,
// which the payer's usual resync ("nonce too low" or "occupied": go past it) repairs.
import type { Redis } from "ioredis";
import { sleep } from "../../../../common/async.ts";
import { NodeKeys } from "../../../../common/redis-keys.ts";
import { RedisLock } from "../../../coordination/redis-lock.ts";
import { RelayerError } from "../../../errors.ts";
import type { FeeSettings, PayerLedgerOptions, PayerTransaction, TxRequest } from "./types.ts";

/** The lock's lifetime unless renewed (its holder renews it while it sends). */
const LOCK_TTL_MS = 5_000;
/** Between two tries to take a lock someone else holds. */
const LOCK_POLL_MS = 3;
/** Longest wait for the lock before a send gives up (retryable). */
const LOCK_WAIT_MS = 30_000;
/** How long a sent transaction's record is kept: far longer than any confirmation takes. */
const RECORD_TTL_S = 7 * 24 * 3600;

export class PayerLedger {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #owner: string;

  constructor(options: PayerLedgerOptions, chainId: bigint, address: string) {
    this.#redis = options.redis;
    this.#key = new NodeKeys(options.prefix).payer(chainId, address);
    this.#owner = `pid${process.pid}`;
  }

  /** Runs `work` holding the payer's lock (waiting for another process's send to end). */
  async locked<T>(work: (lock: { readonly held: boolean }) => Promise<T>): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    let lock: RedisLock | null;
    while (!(lock = await RedisLock.acquire(this.#redis, this.#key + "lock", this.#owner, LOCK_TTL_MS))) {
      if (Date.now() > deadline)
        throw new RelayerError("PAYER_BUSY", `the payer lock ${this.#key}lock stayed taken for ${LOCK_WAIT_MS} ms`, true);
      await sleep(LOCK_POLL_MS);
    }
    try {
      return await work(lock);
    } finally {
      await lock.release();
    }
  }

  /** The next nonce, as the last sender left it (undefined: read it from the chain). */
  async next(): Promise<number | undefined> {
    const value = await this.#redis.get(this.#key + "next");
    return value === null ? undefined : Number(value);
  }

  async setNext(nonce: number): Promise<void> {
    await this.#redis.set(this.#key + "next", String(nonce));
  }

  /** Records a transaction sent (or replaced) and, with it, the next nonce, in one round trip. */
  async record(tx: PayerTransaction, next?: number): Promise<void> {
    const multi = this.#redis.multi();
    if (next !== undefined) multi.set(this.#key + "next", String(next));
    multi.set(this.#key + `tx:${tx.nonce}`, encode(tx), "EX", RECORD_TTL_S);
    for (const hash of tx.hashes) multi.set(this.#key + `hash:${hash.toLowerCase()}`, String(tx.nonce), "EX", RECORD_TTL_S);
    await multi.exec();
  }

  /** The transaction sent under `nonce`, as last recorded. */
  async load(nonce: number): Promise<PayerTransaction | null> {
    const raw = await this.#redis.get(this.#key + `tx:${nonce}`);
    return raw === null ? null : decode(raw);
  }

  /** The transaction one of whose hashes is `hash`, sent by any process of the node. */
  async find(hash: string): Promise<PayerTransaction | null> {
    const nonce = await this.#redis.get(this.#key + `hash:${hash.toLowerCase()}`);
    if (nonce === null) return null;
    const tx = await this.load(Number(nonce));
    return tx && tx.hashes.some((h) => h.toLowerCase() === hash.toLowerCase()) ? tx : null;
  }
}

interface StoredTx {
  nonce: number;
  request: { to: string; data: string; value: string; gasLimit: string };
  hashes: string[];
  fees: { type: 2; maxFeePerGas: string; maxPriorityFeePerGas: string } | { type: 0; gasPrice: string };
  lastSentAt: number;
  replacements: number;
  raw: string;
}

function encode(tx: PayerTransaction): string {
  const { request, fees } = tx;
  const stored: StoredTx = {
    nonce: tx.nonce,
    request: { to: request.to, data: request.data, value: request.value.toString(), gasLimit: request.gasLimit.toString() },
    hashes: tx.hashes,
    fees:
      fees.type === 2
        ? { type: 2, maxFeePerGas: fees.maxFeePerGas.toString(), maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString() }
        : { type: 0, gasPrice: fees.gasPrice.toString() },
    lastSentAt: tx.lastSentAt,
    replacements: tx.replacements,
    raw: tx.raw,
  };
  return JSON.stringify(stored);
}

function decode(raw: string): PayerTransaction {
  const s = JSON.parse(raw) as StoredTx;
  const request: Required<TxRequest> = {
    to: s.request.to,
    data: s.request.data,
    value: BigInt(s.request.value),
    gasLimit: BigInt(s.request.gasLimit),
  };
  const fees: FeeSettings =
    s.fees.type === 2
      ? { type: 2, maxFeePerGas: BigInt(s.fees.maxFeePerGas), maxPriorityFeePerGas: BigInt(s.fees.maxPriorityFeePerGas) }
      : { type: 0, gasPrice: BigInt(s.fees.gasPrice) };
  return { nonce: s.nonce, request, hashes: s.hashes, fees, lastSentAt: s.lastSentAt, replacements: s.replacements, raw: s.raw };
}
