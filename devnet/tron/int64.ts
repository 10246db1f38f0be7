// TRON amounts, timestamps and block numbers are protobuf int64: exact bigints here, never floats, and
// never outside int64's range.
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

export function isInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/**
 * An integer given as a decimal string, a safe JavaScript integer or a bigint, as an int64 bigint.
 * Throws a RangeError naming `what` for anything else (fractions, unsafe numbers, out-of-range values).
 */
export function toInt64(value: string | number | bigint, what: string): bigint {
  let result: bigint;
  if (typeof value === "bigint") {
    result = value;
  } else if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer, got ${value}`);
    result = BigInt(value);
  } else {
    if (!/^-?\d+$/.test(value.trim())) throw new RangeError(`${what} must be a decimal integer, got "${value}"`);
    result = BigInt(value.trim());
  }
  if (!isInt64(result)) throw new RangeError(`${what} ${result} is outside int64`);
  return result;
}

/** `a + b`, refusing to leave int64 as java-tron's `Math.addExact` does. */
export function addExact(a: bigint, b: bigint): bigint {
  const sum = a + b;
  if (!isInt64(sum)) throw new RangeError("long overflow");
  return sum;
}
