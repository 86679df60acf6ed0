/**
 * A {@link ParseResult} in a form a Worker can post cheaply: every typed array's buffer is
 * transferred, not copied, and tag columns travel as their dictionary and codes (a few hundred
 * distinct strings and an Int32Array) instead of a string per row, which structured cloning
 * would copy one by one.
 *
 * @module
 */
import {
  type Column,
  dictCodesOf,
  isValid,
  makeColumn,
  withDictCodes,
} from "../../core/types/column.ts";
import { ownedBuffer } from "../../core/types/small_arrays.ts";
import { Types } from "../../core/types/data_type.ts";
import type { ParsedMeasurement, ParseResult } from "./types.ts";

/** A tag column in transit. */
interface PackedTag {
  readonly rows: number;
  readonly dict: readonly string[];
  readonly codes: Int32Array;
  readonly validity: Uint8Array | null;
}

/** A parse result in transit (see {@link packParseResult}). */
export interface PackedParseResult {
  readonly measurements: readonly (Omit<ParsedMeasurement, "tags"> & {
    readonly tags: readonly (readonly [string, PackedTag | Column])[];
  })[];
  readonly errors: ParseResult["errors"];
  readonly rejected: number;
  readonly lines: number;
  readonly points: number;
}

/**
 * The posted form of a result and the buffers to transfer with it.
 *
 * @example
 * ```ts
 * import { packParseResult, unpackParseResult } from "./transfer.ts";
 * import { parseLineProtocol } from "./parser.ts";
 * const body = new TextEncoder().encode("m,host=a v=1 1\nm,host=b v=2 2\n");
 * const { packed } = packParseResult(parseLineProtocol(body, { defaultTimeMicros: 0 }));
 * const back = unpackParseResult(structuredClone(packed));
 * console.assert(back.measurements.get("m")!.tags.get("host")!.data![1] === "b");
 * ```
 */
export function packParseResult(
  result: ParseResult,
): { packed: PackedParseResult; transfer: ArrayBuffer[] } {
  const buffers = new Set<ArrayBuffer>();
  const take = (a: ArrayBufferView | null) => {
    // a view on a shared buffer is copied: moving the buffer would empty its neighbours
    const b = a === null ? null : ownedBuffer(a);
    if (b !== null) buffers.add(b);
  };
  const measurements = [...result.measurements.values()].map((m) => {
    take(m.time);
    const tags = [...m.tags].map(([name, col]): readonly [string, PackedTag | Column] => {
      take(col.validity);
      const coded = dictCodesOf(col);
      if (coded === undefined) return [name, col]; // (the parser always codes tags)
      take(coded.codes);
      return [name, {
        rows: col.length,
        dict: coded.dict,
        codes: coded.codes,
        validity: col.validity,
      }];
    });
    for (const f of m.fields.values()) {
      take(f.column.validity);
      if (!Array.isArray(f.column.data)) take(f.column.data as ArrayBufferView | null);
    }
    return { ...m, tags };
  });
  return {
    packed: {
      measurements,
      errors: result.errors,
      rejected: result.rejected,
      lines: result.lines,
      points: result.points,
    },
    transfer: [...buffers],
  };
}

/** Rebuilds a result from {@link packParseResult}'s form (tag strings from their codes). */
export function unpackParseResult(packed: PackedParseResult): ParseResult {
  const measurements = new Map<string, ParsedMeasurement>();
  for (const m of packed.measurements) {
    const tags = new Map<string, Column>();
    for (const [name, t] of m.tags) {
      if (!("dict" in t)) {
        tags.set(name, t);
        continue;
      }
      const data = new Array<string>(t.rows);
      for (let i = 0; i < t.rows; i++) {
        data[i] = isValid(t.validity, i) ? t.dict[t.codes[i]!]! : "";
      }
      tags.set(
        name,
        withDictCodes(makeColumn(Types.text, t.rows, data, t.validity), t.dict, t.codes),
      );
    }
    measurements.set(m.name, { ...m, tags, fields: new Map(m.fields) });
  }
  return {
    measurements,
    errors: packed.errors,
    rejected: packed.rejected,
    lines: packed.lines,
    points: packed.points,
  };
}
