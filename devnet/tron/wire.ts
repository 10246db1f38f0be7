// The few pieces of the protobuf wire format that TronWeb's generated classes cannot give us exactly:
// int64 values beyond 2^53 (its reader returns JavaScript numbers), the original bytes of a nested
// message (re-serializing could change them, and a transaction id is the hash of those bytes), and
// the block header, whose message TronWeb does not ship. Field numbers are java-tron's (Tron.proto).
import { concatBytes } from "./bytes.ts";
import { BridgeError } from "../../common/errors.ts";

/** Bytes that are not the protobuf wire format (or not the field types expected). */
export class WireFormatError extends BridgeError<"WIRE_FORMAT"> {
  constructor(message: string) {
    super("WIRE_FORMAT", message);
  }
}

export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;

export interface WireField {
  readonly field: number;
  readonly wireType: number;
  /** Varints as unsigned 64-bit values; everything else as its bytes. */
  readonly value: bigint | Uint8Array;
}

function readVarint(bytes: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    const byte = bytes[start + i];
    if (byte === undefined) throw new WireFormatError("truncated varint");
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return { value: BigInt.asUintN(64, value), next: start + i + 1 };
  }
  throw new WireFormatError("varint longer than 10 bytes");
}

/** The top-level fields of a message, in wire order. */
export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const key = readVarint(bytes, offset);
    offset = key.next;
    const field = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    if (field === 0) throw new WireFormatError("field number 0");
    switch (wireType) {
      case WireType.Varint: {
        const v = readVarint(bytes, offset);
        fields.push({ field, wireType, value: v.value });
        offset = v.next;
        break;
      }
      case WireType.LengthDelimited: {
        const length = readVarint(bytes, offset);
        const end = length.next + Number(length.value);
        if (length.value > BigInt(bytes.length) || end > bytes.length) throw new WireFormatError("truncated field");
        fields.push({ field, wireType, value: bytes.slice(length.next, end) });
        offset = end;
        break;
      }
      case WireType.Fixed64:
      case WireType.Fixed32: {
        const end = offset + (wireType === WireType.Fixed64 ? 8 : 4);
        if (end > bytes.length) throw new WireFormatError("truncated field");
        fields.push({ field, wireType, value: bytes.slice(offset, end) });
        offset = end;
        break;
      }
      default:
        throw new WireFormatError(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

/** An int64 field exactly (protobuf keeps the last occurrence); 0 when absent, as proto3 reads it. */
export function int64Field(fields: readonly WireField[], field: number): bigint {
  let result = 0n;
  for (const f of fields) {
    if (f.field !== field) continue;
    if (typeof f.value !== "bigint") throw new WireFormatError(`field ${field} is not a varint`);
    result = BigInt.asIntN(64, f.value);
  }
  return result;
}

/** The bytes of a length-delimited field (the last occurrence); undefined when absent. */
export function bytesField(fields: readonly WireField[], field: number): Uint8Array | undefined {
  let result: Uint8Array | undefined;
  for (const f of fields) {
    if (f.field !== field) continue;
    if (typeof f.value === "bigint" || f.wireType !== WireType.LengthDelimited) {
      throw new WireFormatError(`field ${field} is not length-delimited`);
    }
    result = f.value;
  }
  return result;
}

/** The bytes of every occurrence of a repeated length-delimited field. */
export function repeatedBytesField(fields: readonly WireField[], field: number): Uint8Array[] {
  return fields.flatMap((f) => {
    if (f.field !== field) return [];
    if (typeof f.value === "bigint" || f.wireType !== WireType.LengthDelimited) {
      throw new WireFormatError(`field ${field} is not length-delimited`);
    }
    return [f.value];
  });
}

export function encodeVarint(value: bigint): Uint8Array {
  let rest = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Uint8Array.from(out);
}

/** A varint field, omitted when 0 as proto3 serializes it. */
export function varintField(field: number, value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array();
  return concatBytes([encodeVarint(BigInt(field << 3) | BigInt(WireType.Varint)), encodeVarint(value)]);
}

/** A length-delimited field, omitted when empty as proto3 serializes a singular field (an element of a
 * repeated field is always written: pass `keepEmpty`). */
export function lengthDelimitedField(field: number, value: Uint8Array, keepEmpty = false): Uint8Array {
  if (value.length === 0 && !keepEmpty) return new Uint8Array();
  return concatBytes([encodeVarint(BigInt(field << 3) | BigInt(WireType.LengthDelimited)), encodeVarint(BigInt(value.length)), value]);
}
