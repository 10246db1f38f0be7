// Account state. Accounts are immutable values; a ledger maps addresses (hex "41…") to them, and an
// overlay collects writes over a base so that a refused transaction leaves nothing behind, as
// java-tron's revoking sessions do.

export interface Account {
  readonly address: string;
  /** TRX in sun. */
  readonly balance: bigint;
  /** TRC-10 balances by token id (java-tron's `assetV2`). */
  readonly assets: ReadonlyMap<string, bigint>;
  /** Milliseconds (the head block's timestamp when the account was created). */
  readonly createTime: bigint;
  readonly latestOperationTime: bigint;
  /** Free bandwidth used, before recovery since `latestConsumeFreeTime`. */
  readonly freeNetUsage: bigint;
  /** In 3-second slots since genesis, as java-tron stores it. */
  readonly latestConsumeFreeTime: bigint;
}

export function newAccount(address: string, createTime: bigint): Account {
  return {
    address,
    balance: 0n,
    assets: new Map(),
    createTime,
    latestOperationTime: 0n,
    freeNetUsage: 0n,
    latestConsumeFreeTime: 0n,
  };
}

export interface AccountReader {
  get(address: string): Account | undefined;
}

export class Ledger implements AccountReader {
  readonly #accounts = new Map<string, Account>();

  get(address: string): Account | undefined {
    return this.#accounts.get(address);
  }

  put(account: Account): void {
    this.#accounts.set(account.address, account);
  }

  apply(writes: ReadonlyMap<string, Account>): void {
    for (const account of writes.values()) this.put(account);
  }
}

export class LedgerOverlay implements AccountReader {
  readonly #base: AccountReader;
  readonly #writes = new Map<string, Account>();

  constructor(base: AccountReader) {
    this.#base = base;
  }

  get(address: string): Account | undefined {
    return this.#writes.get(address) ?? this.#base.get(address);
  }

  put(account: Account): void {
    this.#writes.set(account.address, account);
  }

  apply(writes: ReadonlyMap<string, Account>): void {
    for (const account of writes.values()) this.put(account);
  }

  /** The accounts written, in the order first written. */
  get writes(): ReadonlyMap<string, Account> {
    return this.#writes;
  }
}
