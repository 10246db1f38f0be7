// TRON addresses as the development node reads them from requests: base58check ("T…") or hex ("41…"),
// held as 21 bytes. The encodings themselves are common/tron/address.ts.
import { decodeTronBase58, TRON_ADDRESS_LENGTH, TRON_ADDRESS_PREFIX } from "../../common/tron/address.ts";
import { fromHex, toHex } from "./bytes.ts";

/** java-tron's `DecodeUtil.addressValid`: 21 bytes starting with the 0x41 prefix. */
export function isAddressBytes(bytes: Uint8Array): boolean {
  return bytes.length === TRON_ADDRESS_LENGTH && bytes[0] === TRON_ADDRESS_PREFIX;
}

/** The lower-case hex form ("41…") of a base58check or hex TRON address; throws if it is neither. */
export function parseAddress(input: string): string {
  let bytes: Uint8Array;
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(input)) {
    const decoded = decodeTronBase58(input);
    if (decoded === undefined) throw new TypeError(`invalid TRON address checksum: ${input}`);
    bytes = decoded;
  } else {
    bytes = fromHex(input);
  }
  if (!isAddressBytes(bytes)) throw new TypeError(`invalid TRON address: ${input}`);
  return toHex(bytes);
}
