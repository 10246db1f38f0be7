// JSON with exact integers. java-tron writes int64 fields as bare JSON numbers, and with
// `int64_as_string=true` (on GET requests) as strings; int64 values are bigints here and are written
// digit for digit either way, never through a float.

export type JsonValue =
  null | boolean | number | bigint | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

export interface JsonOptions {
  /** Write bigints as strings (java-tron's `int64_as_string`). */
  readonly int64AsString: boolean;
}

export function writeJson(value: JsonValue, options: JsonOptions): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "bigint":
      return options.int64AsString ? `"${value}"` : value.toString();
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as JSON`);
      return JSON.stringify(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => writeJson(item, options)).join(",")}]`;
  const entries = Object.entries(value as { readonly [key: string]: JsonValue | undefined });
  const members = entries.flatMap(([key, item]) => (item === undefined ? [] : [`${JSON.stringify(key)}:${writeJson(item, options)}`]));
  return `{${members.join(",")}}`;
}
