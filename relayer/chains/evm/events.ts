// Decoding a gateway's logs by topic. ethers' `Interface.parseLog` finds a log's event by hashing the
// signature of every event in the ABI, on every call (17 keccak256 for a gateway, in JavaScript): under
// load that was the relayer's largest single CPU cost. This looks the event up by its topic in a map
// made once, then decodes with ethers as before.
import type { EventFragment, Interface, Result } from "ethers";

export interface DecodedEvent {
  name: string;
  args: Result;
}

export class EventDecoder {
  private readonly iface: Interface;
  private readonly byTopic = new Map<string, EventFragment>();
  /** The topic hashes of the events, in the order named (for log filters). */
  readonly topics: string[];

  /** Decodes the events `names` of `iface`; throws if the ABI lacks one. */
  constructor(iface: Interface, names: readonly string[], abiName = "the ABI") {
    this.iface = iface;
    this.topics = names.map((name) => {
      const event = iface.getEvent(name);
      if (!event) throw new Error(`${abiName} has no ${name} event`);
      this.byTopic.set(event.topicHash.toLowerCase(), event);
      return event.topicHash;
    });
  }

  /** The log's event and arguments; null for a log of any other event. Throws on data that does not
   * decode (as `parseLog` does). */
  decode(log: { readonly topics: readonly string[]; readonly data: string }): DecodedEvent | null {
    const fragment = this.byTopic.get((log.topics[0] ?? "").toLowerCase());
    if (!fragment) return null;
    return { name: fragment.name, args: this.iface.decodeEventLog(fragment, log.data, log.topics) };
  }
}
