// A gateway's TransferSent / SwapSent log, decoded by hand. Both events have one indexed uint64 (the
// sequence) and five static words of data (uint64 dstChainId, address sender, address recipient,
// uint256 amount, uint256 fee or legacyAmount), so decoding is slicing: ethers' generic ABI decoder took
// most of a watcher's CPU under load (about half a millisecond a log, and every node reads every log).
// test/relayer/sent-log.test.ts checks it against ethers' decoder; anything that is not exactly that
// shape (another topic, data of another length, a value wider than its type) is refused. That is stricter
// than ethers, which ignores extra data and dirty high bits: such a log throws here, and the watcher
// retries its block range instead of going past it — a gateway that emitted one would halt that chain's
// watcher at that range (retrying it) rather than have a transfer read otherwise than the chain has it.
import { checksumAddress } from "../../../common/address.ts";
import { contractInterface } from "../../../common/contracts/artifacts.ts";
import { EventDecoder } from "./events.ts";

export interface SentLog {
  name: "TransferSent" | "SwapSent";
  sequence: bigint;
  dstChainId: bigint;
  sender: string;
  recipient: string;
  amount: bigint;
  /** `fee` of a TransferSent, `legacyAmount` of a SwapSent. */
  last: bigint;
}

let topics: Map<string, SentLog["name"]> | undefined;
function sentTopics(): Map<string, SentLog["name"]> {
  if (!topics) {
    const decoder = new EventDecoder(contractInterface("RemoteGateway"), ["TransferSent", "SwapSent"], "the RemoteGateway ABI");
    topics = new Map([
      [decoder.topics[0]!.toLowerCase(), "TransferSent"],
      [decoder.topics[1]!.toLowerCase(), "SwapSent"],
    ]);
  }
  return topics;
}

/** The log's event, or null if it is not a TransferSent/SwapSent; throws if it is one but malformed. */
export function decodeSentLog(log: { readonly topics: readonly string[]; readonly data: string }): SentLog | null {
  const name = sentTopics().get((log.topics[0] ?? "").toLowerCase());
  if (!name) return null;
  if (log.topics.length !== 2 || !/^0x[0-9a-fA-F]{320}$/.test(log.data)) throw new Error(`malformed ${name} log`);
  const word = (i: number) => log.data.slice(2 + 64 * i, 66 + 64 * i);
  return {
    name,
    sequence: uint(log.topics[1]!.slice(2), 64, "sequence"),
    dstChainId: uint(word(0), 64, "dstChainId"),
    sender: address(word(1), "sender"),
    recipient: address(word(2), "recipient"),
    amount: BigInt("0x" + word(3)),
    last: BigInt("0x" + word(4)),
  };
}

function address(word: string, field: string): string {
  if (!/^0{24}/.test(word)) throw new Error(`${field}: more than 20 bytes`);
  return checksumAddress("0x" + word.slice(24).toLowerCase());
}

function uint(hex: string, bits: number, field: string): bigint {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${field}: not a 32-byte word`);
  const value = BigInt("0x" + hex);
  if (value >= 1n << BigInt(bits)) throw new Error(`${field}: wider than uint${bits}`);
  return value;
}
