/**
 * Sequences (`CREATE SEQUENCE`, `SERIAL` columns): a named bigint counter with PostgreSQL's
 * options and errors. The definition is catalog data; the current value lives in the
 * {@link Sequence} object and is logged in the WAL after each statement that moved it, so a
 * restart never hands out a value twice. As in PostgreSQL, sequences are not transactional: a
 * value taken by a failed statement is gone.
 *
 * @example
 * ```ts
 * import { Sequence } from "./sequence.ts";
 * const s = new Sequence({ schema: "public", name: "s", start: 10n, increment: 5n,
 *   min: 1n, max: 9223372036854775807n, cycle: false, ownedBy: null }, null);
 * console.assert(s.next() === 10n && s.next() === 15n && s.current() === 15n);
 * ```
 *
 * @module
 */
import { DbError } from "../errors.ts";

/** A sequence's definition, as CREATE SEQUENCE gives it (bigint bounds). */
export interface SequenceSchema {
  readonly schema: string;
  readonly name: string;
  readonly start: bigint;
  readonly increment: bigint;
  readonly min: bigint;
  readonly max: bigint;
  readonly cycle: boolean;
  /** The column a SERIAL sequence belongs to: dropped with its table. */
  readonly ownedBy: { readonly table: string; readonly column: string } | null;
}

/** A sequence and its state: the last value handed out, `null` before the first nextval. */
export class Sequence {
  #last: bigint | null;
  /** Whether currval works in this session (nextval or setval ran). */
  #calledHere = false;

  constructor(readonly schema: SequenceSchema, last: bigint | null) {
    this.#last = last;
  }

  /** The last value handed out (what the WAL keeps), `null` before the first. */
  get last(): bigint | null {
    return this.#last;
  }

  /** nextval: the next value; 2200H at the end of a non-cycling sequence. */
  next(): bigint {
    const s = this.schema;
    let v: bigint;
    if (this.#last === null) v = s.start;
    else {
      v = this.#last + s.increment;
      if (v > s.max || v < s.min) {
        if (!s.cycle) {
          const bound = s.increment > 0n
            ? `maximum value of sequence "${s.name}" (${s.max})`
            : `minimum value of sequence "${s.name}" (${s.min})`;
          throw new DbError("2200H", `nextval: reached ${bound}`);
        }
        v = s.increment > 0n ? s.min : s.max;
      }
    }
    this.#last = v;
    this.#calledHere = true;
    return v;
  }

  /** currval: the value nextval last returned in this session; 55000 before any. */
  current(): bigint {
    if (!this.#calledHere || this.#last === null) {
      throw new DbError(
        "55000",
        `currval of sequence "${this.schema.name}" is not yet defined in this session`,
      );
    }
    return this.#last;
  }

  /**
   * setval(v [, isCalled]): with `isCalled` (default) the next nextval returns v + increment,
   * else v itself. 22003 outside the bounds.
   */
  set(v: bigint, isCalled = true): bigint {
    const s = this.schema;
    if (v < s.min || v > s.max) {
      throw new DbError(
        "22003",
        `setval: value ${v} is out of bounds for sequence "${s.name}" (${s.min}..${s.max})`,
      );
    }
    this.#last = isCalled ? v : v - s.increment;
    this.#calledHere = true;
    return v;
  }

  /** Restores the logged state (WAL replay). */
  restore(last: bigint | null): void {
    this.#last = last;
  }
}

/** Options of CREATE SEQUENCE, as parsed (`null`: not given). */
export interface SequenceOptions {
  readonly type?: "int2" | "int4" | "int8";
  readonly increment?: bigint | null;
  readonly min?: bigint | null;
  readonly max?: bigint | null;
  readonly start?: bigint | null;
  readonly cycle?: boolean;
}

const TYPE_MAX = { int2: 32767n, int4: 2147483647n, int8: 9223372036854775807n } as const;

/** The definition CREATE SEQUENCE makes of its options, with PostgreSQL's defaults and checks. */
export function sequenceSchema(
  schema: string,
  name: string,
  options: SequenceOptions,
  ownedBy: SequenceSchema["ownedBy"] = null,
): SequenceSchema {
  const typeMax = TYPE_MAX[options.type ?? "int8"];
  const increment = options.increment ?? 1n;
  if (increment === 0n) throw new DbError("22023", "INCREMENT must not be zero");
  const min = options.min ?? (increment > 0n ? 1n : -typeMax - 1n);
  const max = options.max ?? (increment > 0n ? typeMax : -1n);
  if (min < -typeMax - 1n || max > typeMax) {
    throw new DbError(
      "22023",
      `MINVALUE (${min}) and MAXVALUE (${max}) are out of range for the type`,
    );
  }
  if (min >= max) {
    throw new DbError("22023", `MINVALUE (${min}) must be less than MAXVALUE (${max})`);
  }
  const start = options.start ?? (increment > 0n ? min : max);
  if (start < min) {
    throw new DbError("22023", `START value (${start}) cannot be less than MINVALUE (${min})`);
  }
  if (start > max) {
    throw new DbError("22023", `START value (${start}) cannot be greater than MAXVALUE (${max})`);
  }
  return { schema, name, start, increment, min, max, cycle: options.cycle ?? false, ownedBy };
}

/** A sequence definition in JSON-safe form (bigints as decimal text), for the WAL. */
export interface SequenceJson {
  readonly schema: string;
  readonly name: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cycle: boolean;
  readonly ownedBy: { readonly table: string; readonly column: string } | null;
}

/** {@link SequenceSchema} to its WAL form. */
export function sequenceToJson(s: SequenceSchema): SequenceJson {
  return {
    schema: s.schema,
    name: s.name,
    start: String(s.start),
    increment: String(s.increment),
    min: String(s.min),
    max: String(s.max),
    cycle: s.cycle,
    ownedBy: s.ownedBy,
  };
}

/** The WAL form back to a {@link SequenceSchema}. */
export function sequenceFromJson(j: SequenceJson): SequenceSchema {
  return {
    schema: j.schema,
    name: j.name,
    start: BigInt(j.start),
    increment: BigInt(j.increment),
    min: BigInt(j.min),
    max: BigInt(j.max),
    cycle: j.cycle,
    ownedBy: j.ownedBy,
  };
}
