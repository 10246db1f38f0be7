// EIP-55 checksummed addresses, remembered: a checksum is a keccak256 in JavaScript, and a relayer meets
// each recipient several times (decoding the source log, parsing a peer's batch, checking it against its
// record). Same results and errors as ethers' getAddress: a mixed-case address must carry the right
// checksum, and anything that is not 20 bytes of hex is refused.
import { getAddress } from "ethers";

/** How many addresses are remembered (oldest forgotten first): more than a few minutes' recipients. */
const REMEMBERED = 50_000;
const known = new Map<string, string>();

/** `getAddress(address)`, from memory when this address was checksummed lately. */
export function checksumAddress(address: string): string {
  const lower = address.toLowerCase();
  const checksummed = known.get(lower);
  if (checksummed !== undefined && (address === lower || address === checksummed || address === "0x" + lower.slice(2).toUpperCase())) {
    return checksummed;
  }
  const result = getAddress(address); // throws on a bad checksum or a malformed address
  known.set(lower, result);
  if (known.size > REMEMBERED) known.delete(known.keys().next().value!);
  return result;
}
