// Walks EVM bytecode for opcodes a chain's rules do not have: BTTC runs Berlin rules (docs/protocol.md,
// "Chains"), so nothing the bridge deploys there may contain an opcode of a later fork.

/** Opcodes introduced after Berlin: London's BASEFEE, Shanghai's PUSH0, Cancun's TLOAD, TSTORE, MCOPY,
 * BLOBHASH and BLOBBASEFEE. */
export const POST_BERLIN_OPCODES: Readonly<Record<number, string>> = {
  0x48: "BASEFEE",
  0x49: "BLOBHASH",
  0x4a: "BLOBBASEFEE",
  0x5c: "TLOAD",
  0x5d: "TSTORE",
  0x5e: "MCOPY",
  0x5f: "PUSH0",
};

/** Drops the CBOR metadata solc appends to runtime code (its length is in the last two bytes): it is
 * data, never executed, and may hold any byte. */
export function withoutMetadata(code: Uint8Array): Uint8Array {
  if (code.length < 2) return code;
  const length = (code[code.length - 2]! << 8) | code[code.length - 1]!;
  const start = code.length - 2 - length;
  // A CBOR map of 1 to 3 entries ("ipfs", "solc", "experimental") opens solc's metadata.
  if (start < 0 || code[start]! < 0xa1 || code[start]! > 0xa3) return code;
  return code.subarray(0, start);
}

/** Counts each post-Berlin opcode in `code`, walking it instruction by instruction so that the data of
 * PUSH1..PUSH32 is skipped, not read as opcodes. */
export function postBerlinOpcodes(code: Uint8Array): Map<string, number> {
  const found = new Map<string, number>();
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc]!;
    const name = POST_BERLIN_OPCODES[op];
    if (name !== undefined) found.set(name, (found.get(name) ?? 0) + 1);
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f; // PUSHn: skip its n bytes of data
  }
  return found;
}
