// The swap memo: what a TRC-10 BTTOLD deposit on TRON carries in its `raw_data.data` to name the BTTC
// account that receives the new BTT (docs/protocol.md, "Swap memo"). The API builds it; wallets only copy it.
//
//   BTTC:<recipient>:<checksum>
//
//   recipient  the BTTC address, EIP-55 checksummed ("0x" + 40 hex digits)
//   checksum   8 lower-case hex digits: the first 4 bytes of keccak256(UTF-8 "BTTC:" + the recipient in
//              lower case), so the checksum does not depend on how the address is cased
//
//   e.g. BTTC:0x70997970C51812dc3A010C7d01b50e0d17dc79C8:<8 hex digits>   (56 characters)
//
// Decoding, in this order (the first failure is the reason):
//   MISSING       no memo, an empty one, or only whitespace
//   NOT_TEXT      the bytes are not UTF-8 text, or the text holds control characters
//   WRONG_PREFIX  it does not start with "BTTC:" (any case: "bttc:" is read as "BTTC:")
//   BAD_ADDRESS   no "0x" + 40 hex digits after the prefix, or a mixed-case address whose EIP-55
//                 checksum is wrong (a typo that EIP-55 catches is a typo)
//   BAD_CHECKSUM  the ":<checksum>" part is missing, is not 8 hex digits (any case), or does not match
//   ZERO_ADDRESS  the recipient is 0x000…000: the gateway could never deliver to it
// Whitespace around the memo (as String.prototype.trim() defines it: spaces, tabs, line ends, no-break
// spaces, a BOM) is ignored: it comes from copying and pasting, and cannot change the recipient.
// Nothing else is lenient: no whitespace inside, nothing after the checksum.
//
// A rejected memo is never guessed at: the deposit is recorded as rejected and refunded by an operator.
import { ZeroAddress, getAddress, keccak256, toUtf8Bytes } from "ethers";

export const SWAP_MEMO_PREFIX = "BTTC:";

export type MemoRejectionReason = "MISSING" | "NOT_TEXT" | "WRONG_PREFIX" | "BAD_ADDRESS" | "BAD_CHECKSUM" | "ZERO_ADDRESS";

export type DecodedSwapMemo = { ok: true; recipient: string } | { ok: false; reason: MemoRejectionReason; detail: string };

/** The 8 hex digits that end a swap memo for `recipient` (any case). */
export function swapMemoChecksum(recipient: string): string {
  const lower = getAddress(recipient).toLowerCase();
  return keccak256(toUtf8Bytes(`${SWAP_MEMO_PREFIX}${lower}`)).slice(2, 10);
}

/** The swap memo naming `recipient` on BTTC. Throws for an invalid or zero address. */
export function encodeSwapMemo(recipient: string): string {
  const address = getAddress(recipient);
  if (address === ZeroAddress) throw new TypeError("a swap memo cannot name the zero address");
  return `${SWAP_MEMO_PREFIX}${address}:${swapMemoChecksum(address)}`;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const CHECKSUM = /^[0-9a-fA-F]{8}$/;
/** How much of a bad memo a rejection's detail quotes. */
const QUOTE_LIMIT = 80;

/**
 * Reads a swap memo: `raw_data.data` as bytes, or the memo as text. Never throws: a memo that does
 * not name a recipient comes back with the reason and a detail fit for an operator's refund list.
 */
export function decodeSwapMemo(memo: Uint8Array | string | undefined): DecodedSwapMemo {
  if (memo === undefined || memo.length === 0) return reject("MISSING", "the deposit has no memo");
  let text: string;
  if (typeof memo === "string") {
    text = memo;
  } else {
    try {
      text = utf8.decode(memo);
    } catch {
      return reject("NOT_TEXT", `the memo (${memo.length} bytes) is not UTF-8 text`);
    }
  }
  text = text.trim();
  if (text === "") return reject("MISSING", "the memo is blank");
  if (hasControlCharacter(text)) return reject("NOT_TEXT", `the memo holds control characters: ${quote(text)}`);

  if (text.slice(0, SWAP_MEMO_PREFIX.length).toUpperCase() !== SWAP_MEMO_PREFIX) {
    return reject("WRONG_PREFIX", `the memo does not start with "${SWAP_MEMO_PREFIX}": ${quote(text)}`);
  }
  const [address = "", checksum, ...rest] = text.slice(SWAP_MEMO_PREFIX.length).split(":");
  if (!ADDRESS.test(address)) {
    return reject("BAD_ADDRESS", `no "0x" and 40 hex digits after "${SWAP_MEMO_PREFIX}": ${quote(text)}`);
  }
  let recipient: string;
  try {
    recipient = getAddress(address);
  } catch {
    return reject("BAD_ADDRESS", `the address ${address} has a wrong EIP-55 (upper/lower case) checksum`);
  }
  if (checksum === undefined) return reject("BAD_CHECKSUM", `the memo ends without ":<checksum>": ${quote(text)}`);
  if (rest.length > 0 || !CHECKSUM.test(checksum)) {
    return reject("BAD_CHECKSUM", `the checksum is not 8 hex digits: ${quote(text)}`);
  }
  const expected = swapMemoChecksum(recipient);
  if (checksum.toLowerCase() !== expected) {
    return reject("BAD_CHECKSUM", `checksum ${checksum} does not match ${recipient} (expected ${expected})`);
  }
  if (recipient === ZeroAddress) return reject("ZERO_ADDRESS", "the memo names the zero address");
  return { ok: true, recipient };
}

/** C0 and C1 control characters and DEL (surrounding whitespace is trimmed before this is asked). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function reject(reason: MemoRejectionReason, detail: string): DecodedSwapMemo {
  return { ok: false, reason, detail };
}

/** A bad memo as JSON text (quotes escaped, control characters visible), cut to a readable length. */
function quote(text: string): string {
  const cut = text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
  return JSON.stringify(cut);
}
