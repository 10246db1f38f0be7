// TRON addresses: a 20-byte account behind the 0x41 prefix, written as hex ("41…") in java-tron's default
// JSON and as base58check ("T…": the 21 bytes and the first 4 bytes of their double sha256) everywhere
// people see them. The same secp256k1 key is one account on TRON and on EVM chains: the same 20 bytes.
import { decodeBase58, encodeBase58, getAddress, getBytes, hexlify, sha256, toBeArray } from "ethers";

export const TRON_ADDRESS_PREFIX = 0x41;
/** The prefix and the account. */
export const TRON_ADDRESS_LENGTH = 21;

const BASE58_ADDRESS = /^T[1-9A-HJ-NP-Za-km-z]{33}$/;

function checksum(payload: Uint8Array): Uint8Array {
  return getBytes(sha256(sha256(payload))).slice(0, 4);
}

/** The 21 bytes of a base58check TRON address ("T…"), or undefined if it is not one or its checksum is wrong. */
export function decodeTronBase58(base58: string): Uint8Array | undefined {
  if (!BASE58_ADDRESS.test(base58)) return undefined;
  const decoded = toBeArray(decodeBase58(base58));
  if (decoded.length !== TRON_ADDRESS_LENGTH + 4) return undefined;
  const payload = decoded.slice(0, TRON_ADDRESS_LENGTH);
  const sum = checksum(payload);
  return decoded.slice(TRON_ADDRESS_LENGTH).every((byte, i) => byte === sum[i]) ? payload : undefined;
}

/** `41…` → `T…` (the hex with or without 0x; throws if it is not hex). */
export function toBase58(hexAddress: string): string {
  const body = hexAddress.startsWith("0x") || hexAddress.startsWith("0X") ? hexAddress.slice(2) : hexAddress;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`not a hex string: "${hexAddress}"`);
  const payload = getBytes(`0x${body}`);
  const sum = checksum(payload);
  const both = new Uint8Array(payload.length + sum.length);
  both.set(payload);
  both.set(sum, payload.length);
  return encodeBase58(both);
}

/** `T…` → `41…` (lower-case), or undefined if `base58` is not a valid base58check TRON address. */
export function fromBase58(base58: string): string | undefined {
  const bytes = decodeTronBase58(base58);
  return bytes !== undefined && bytes[0] === TRON_ADDRESS_PREFIX ? hexlify(bytes).slice(2) : undefined;
}

/** Whether `base58` is a TRON address ("T…") with a right checksum. */
export function isTronAddress(base58: string): boolean {
  return fromBase58(base58) !== undefined;
}

/** The 20-byte account of a TRON address ("41…") as an EIP-55 EVM address. */
export function toEvmAddress(hexAddress: string): string {
  return getAddress(`0x${hexAddress.slice(2)}`);
}

/** The TRON account ("41…", lower-case) of an EVM address: the same 20 bytes behind the prefix. */
export function fromEvmAddress(evmAddress: string): string {
  const body = evmAddress.startsWith("0x") || evmAddress.startsWith("0X") ? evmAddress.slice(2) : evmAddress;
  if (!/^[0-9a-fA-F]{40}$/.test(body)) throw new TypeError(`invalid EVM address: ${evmAddress}`);
  return `41${body.toLowerCase()}`;
}
