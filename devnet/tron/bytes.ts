// Hex and byte helpers. java-tron's HTTP API writes bytes as lower-case hex without a 0x prefix.
import { getBytes, hexlify } from "ethers";

export function toHex(bytes: Uint8Array): string {
  return hexlify(bytes).slice(2);
}

/** Bytes from hex with or without a 0x prefix; throws on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  const body = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`not a hex string: "${hex}"`);
  return getBytes(`0x${body}`);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function utf8Bytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function utf8Text(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** A big-endian int64 as 8 bytes (the first 8 bytes of a TRON block id). */
export function int64Bytes(value: bigint): Uint8Array {
  return getBytes(`0x${BigInt.asUintN(64, value).toString(16).padStart(16, "0")}`);
}
