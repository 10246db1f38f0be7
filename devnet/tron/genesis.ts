// The genesis state: funded accounts, TRC-10 tokens and the development witness. By default
// Hardhat's standard development accounts (the same keys as on the EVM devnet chains) hold TRX and
// BTTOLD (TRC-10 1002000); a genesis file can replace all of it.
import { HDNodeWallet, computeAddress, sha256, toUtf8Bytes } from "ethers";
import { z } from "zod";
import { fromEvmAddress, toBase58 } from "../../common/tron/address.ts";
import { parseAddress } from "./address.ts";
import { BTTOLD_TOKEN, type AssetIssue } from "./asset.ts";
import { toInt64 } from "./int64.ts";
import { MAINNET_PARAMETERS, SLOT_MS, type ChainParameters } from "./params.ts";
import { messageOf } from "../../common/errors.ts";
import { DEVNET_MNEMONIC } from "../accounts.ts";

/** Hardhat's published development mnemonic: the TRON accounts are the devnet's EVM accounts, same keys. */
export const HARDHAT_MNEMONIC = DEVNET_MNEMONIC;

/** The development witness that signs blocks: a published key, worthless anywhere else. */
export const DEV_WITNESS_PRIVATE_KEY = sha256(toUtf8Bytes("BTT Bridge TRON development witness"));

export const SUN_PER_TRX = 1_000_000n;

export interface GenesisAccount {
  /** Hex "41…". */
  readonly address: string;
  readonly balance: bigint;
  readonly assets: ReadonlyMap<string, bigint>;
}

export interface Genesis {
  /** Milliseconds. */
  readonly timestamp: bigint;
  readonly witnessPrivateKey: string;
  readonly parameters: ChainParameters;
  readonly tokens: readonly AssetIssue[];
  /** Every funded account, each token's issuer included (it holds the supply nobody else holds). */
  readonly accounts: readonly GenesisAccount[];
}

export interface DevAccount {
  readonly index: number;
  readonly privateKey: string;
  readonly evmAddress: string;
  /** Hex "41…". */
  readonly address: string;
  readonly base58: string;
}

/** Hardhat's development accounts (m/44'/60'/0'/0/i) as TRON accounts: the same keys, the same 20 bytes. */
export function hardhatAccounts(mnemonic: string, count: number): DevAccount[] {
  if (count === 0) return [];
  const root = HDNodeWallet.fromPhrase(mnemonic, "", "m/44'/60'/0'/0");
  return Array.from({ length: count }, (_, index) => {
    const wallet = root.deriveChild(index);
    const address = fromEvmAddress(wallet.address);
    return { index, privateKey: wallet.privateKey, evmAddress: wallet.address, address, base58: toBase58(address) };
  });
}

/** Now, rounded down to a 3-second slot, as a genesis time. */
export function currentSlotTime(nowMs: number = Date.now()): bigint {
  const now = BigInt(nowMs);
  return now - (now % SLOT_MS);
}

/**
 * Gives each token's issuer the supply the other accounts do not hold, and checks the whole: no
 * account twice, no negative balance, no unknown token, no token over its total supply.
 */
export function completeGenesis(genesis: Omit<Genesis, "accounts"> & { accounts: readonly GenesisAccount[] }): Genesis {
  const accounts = new Map<string, GenesisAccount>();
  const tokens = new Map(genesis.tokens.map((token) => [token.id, token]));
  if (tokens.size !== genesis.tokens.length) throw new Error("genesis: a token id appears twice");
  for (const account of genesis.accounts) {
    if (accounts.has(account.address)) throw new Error(`genesis: account ${toBase58(account.address)} appears twice`);
    if (account.balance < 0n) throw new Error(`genesis: account ${toBase58(account.address)} has a negative balance`);
    for (const [id, amount] of account.assets) {
      if (!tokens.has(id)) throw new Error(`genesis: account ${toBase58(account.address)} holds unknown token ${id}`);
      if (amount < 0n) throw new Error(`genesis: account ${toBase58(account.address)} holds a negative amount of ${id}`);
    }
    accounts.set(account.address, account);
  }
  for (const token of tokens.values()) {
    let held = 0n;
    for (const account of accounts.values()) held += account.assets.get(token.id) ?? 0n;
    const issuer = accounts.get(token.ownerAddress);
    const issuerHolds = issuer?.assets.get(token.id) ?? 0n;
    const rest = token.totalSupply - held;
    if (rest < 0n) throw new Error(`genesis: accounts hold ${held} of token ${token.id}, over its supply ${token.totalSupply}`);
    const assets = new Map(issuer?.assets ?? []).set(token.id, issuerHolds + rest);
    accounts.set(token.ownerAddress, { address: token.ownerAddress, balance: issuer?.balance ?? 0n, assets });
  }
  return { ...genesis, accounts: [...accounts.values()] };
}

export interface DefaultGenesisOptions {
  readonly timestamp?: bigint;
  readonly mnemonic?: string;
  readonly accounts?: number;
  /** Sun per account. */
  readonly balance?: bigint;
  /** BTTOLD base units (10^-6) per account. */
  readonly bttold?: bigint;
}

export const DEFAULT_ACCOUNT_COUNT = 20;
export const DEFAULT_ACCOUNT_BALANCE = 1_000_000n * SUN_PER_TRX;
export const DEFAULT_ACCOUNT_BTTOLD = 1_000_000_000n * 10n ** BigInt(BTTOLD_TOKEN.precision);

export function defaultGenesis(options: DefaultGenesisOptions = {}): { genesis: Genesis; devAccounts: DevAccount[] } {
  const devAccounts = hardhatAccounts(options.mnemonic ?? HARDHAT_MNEMONIC, options.accounts ?? DEFAULT_ACCOUNT_COUNT);
  const balance = options.balance ?? DEFAULT_ACCOUNT_BALANCE;
  const bttold = options.bttold ?? DEFAULT_ACCOUNT_BTTOLD;
  const genesis = completeGenesis({
    timestamp: options.timestamp ?? currentSlotTime(),
    witnessPrivateKey: DEV_WITNESS_PRIVATE_KEY,
    parameters: MAINNET_PARAMETERS,
    tokens: [BTTOLD_TOKEN],
    accounts: devAccounts.map((account) => ({
      address: account.address,
      balance,
      assets: new Map([[BTTOLD_TOKEN.id, bttold]]),
    })),
  });
  return { genesis, devAccounts };
}

// A genesis file: JSON, with every amount a decimal string of base units (sun, token units).
const int64String = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      return toInt64(value, what);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: messageOf(error) });
      return z.NEVER;
    }
  });

const address = z.string().transform((value, ctx) => {
  try {
    return parseAddress(value);
  } catch {
    ctx.addIssue({ code: "custom", message: `not a TRON address: ${value}` });
    return z.NEVER;
  }
});

const tokenSchema = z.object({
  id: z.string().regex(/^[1-9]\d*$/, "a token id is a decimal number"),
  name: z.string().min(1),
  abbr: z.string().min(1),
  precision: z.number().int().min(0).max(6),
  totalSupply: int64String("totalSupply"),
  owner: address,
  description: z.string().default(""),
  url: z.string().default(""),
});

export const GenesisFileSchema = z.strictObject({
  timestamp: int64String("timestamp").optional(),
  witnessPrivateKey: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .optional(),
  parameters: z
    .strictObject({
      memoFee: int64String("memoFee").optional(),
      transactionFee: int64String("transactionFee").optional(),
      createAccountFee: int64String("createAccountFee").optional(),
      createNewAccountFeeInSystemContract: int64String("createNewAccountFeeInSystemContract").optional(),
      freeNetLimit: int64String("freeNetLimit").optional(),
    })
    .optional(),
  tokens: z.array(tokenSchema).optional(),
  accounts: z.array(
    z.strictObject({
      address,
      balance: int64String("balance").default(0n),
      assets: z.record(z.string(), int64String("asset amount")).default({}),
    }),
  ),
});

export type GenesisFile = z.infer<typeof GenesisFileSchema>;

/** A genesis from a parsed genesis file; tokens default to BTTOLD, parameters to mainnet's. */
export function genesisFromFile(file: GenesisFile, now: number = Date.now()): Genesis {
  const parameters: ChainParameters = { ...MAINNET_PARAMETERS };
  for (const [key, value] of Object.entries(file.parameters ?? {})) {
    if (value !== undefined) Object.assign(parameters, { [key]: value });
  }
  const tokens: AssetIssue[] = file.tokens
    ? file.tokens.map(({ owner, ...token }) => ({
        ...BTTOLD_TOKEN,
        ...token,
        ownerAddress: owner,
      }))
    : [BTTOLD_TOKEN];
  return completeGenesis({
    timestamp: file.timestamp ?? currentSlotTime(now),
    witnessPrivateKey: file.witnessPrivateKey ?? DEV_WITNESS_PRIVATE_KEY,
    parameters,
    tokens,
    accounts: file.accounts.map((account) => ({
      address: account.address,
      balance: account.balance,
      assets: new Map(Object.entries(account.assets)),
    })),
  });
}

/** The hex address ("41…") of a private key's account. */
export function addressOfKey(privateKey: string): string {
  return fromEvmAddress(computeAddress(privateKey));
}
