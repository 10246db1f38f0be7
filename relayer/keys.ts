// Private keys as the signing classes hold them: parsed once, kept in private fields, and never put into
// an error message, a log line or an inspected object (ethers' own parse errors quote the value given,
// so they are not passed on as causes).
import { Wallet } from "ethers";
import { readKey, type KeySource } from "../common/schema.ts";
import { RelayerError } from "./errors.ts";

export class InvalidKeyError extends RelayerError {
  constructor(what: string) {
    super("KEY_INVALID", `the ${what} is not a valid secp256k1 private key (32 bytes in hex)`, false);
  }
}

/** A Wallet (without a provider) for `key`; a bad key fails without quoting it. */
export function walletFromKey(key: string, what: string): Wallet {
  const trimmed = key.trim();
  const hex = /^0x/i.test(trimmed) ? trimmed : `0x${trimmed}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidKeyError(what);
  try {
    return new Wallet(hex);
  } catch {
    throw new InvalidKeyError(what); // e.g. zero or above the curve order
  }
}

/** A Wallet for the key found where `source` says (an environment variable or a file). */
export function walletFromSource(source: KeySource, env: NodeJS.ProcessEnv, what: string): Wallet {
  return walletFromKey(readKey(source, env, what), what);
}

/** `util.inspect`'s hook, by its registered symbol (no import of node:util needed). */
export const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
