// TRON addresses: a 20-byte account prefixed with 0x41, written as hex ("41…") on java-tron's default
// HTTP API and as base58check ("T…") when a request asks for `visible`.
import { decodeBase58, encodeBase58, getBytes, sha256, toBeArray } from "ethers";
import { concatBytes, equalBytes, fromHex, toHex } from "./bytes.ts";

export const ADDRESS_PREFIX = 0x41;
export const ADDRESS_LENGTH = 21;

/** java-tron's `DecodeUtil.addressValid`: 21 bytes starting with the 0x41 prefix. */
export function isAddressBytes(bytes: Uint8Array): boolean {
  return bytes.length === ADDRESS_LENGTH && bytes[0] === ADDRESS_PREFIX;
}

function checksum(payload: Uint8Array): Uint8Array {
  return getBytes(sha256(sha256(payload))).slice(0, 4);
}

/** Base58check ("T…") form of a hex address ("41…"). */
export function toBase58(hexAddress: string): string {
  const payload = fromHex(hexAddress);
  return encodeBase58(concatBytes([payload, checksum(payload)]));
}

/** The lower-case hex form ("41…") of a base58check or hex TRON address; throws if it is neither. */
export function parseAddress(input: string): string {
  let bytes: Uint8Array;
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(input)) {
    const decoded = toBeArray(decodeBase58(input));
    const payload = decoded.slice(0, ADDRESS_LENGTH);
    if (decoded.length !== ADDRESS_LENGTH + 4 || !equalBytes(decoded.slice(ADDRESS_LENGTH), checksum(payload))) {
      throw new TypeError(`invalid TRON address checksum: ${input}`);
    }
    bytes = payload;
  } else {
    bytes = fromHex(input);
  }
  if (!isAddressBytes(bytes)) throw new TypeError(`invalid TRON address: ${input}`);
  return toHex(bytes);
}

/** The TRON account of an EVM address: the same 20 bytes behind the 0x41 prefix. */
export function fromEvmAddress(evmAddress: string): string {
  const bytes = fromHex(evmAddress);
  if (bytes.length !== 20) throw new TypeError(`invalid EVM address: ${evmAddress}`);
  return `41${toHex(bytes)}`;
}
