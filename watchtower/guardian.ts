// The guardian key: read from a file only its owner may read (config.ts checks the mode), parsed once
// into a Wallet, and never put into a message or a log (ethers' own parse errors quote the value given,
// so they are not passed on).
import { Wallet } from "ethers";
import { readKey } from "../common/schema.ts";
import { assertOwnerOnly } from "./config.ts";
import { WatchtowerError } from "./errors.ts";

export function loadGuardian(file: string): Wallet {
  assertOwnerOnly(file);
  const key = readKey({ file }, {}, "guardian key").trim();
  const hex = /^0x/i.test(key) ? key : `0x${key}`;
  const invalid = () =>
    new WatchtowerError("KEY_INVALID", `the guardian key in ${file} is not a valid secp256k1 private key (32 bytes in hex)`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw invalid();
  try {
    return new Wallet(hex);
  } catch {
    throw invalid();
  }
}
