/**
 * The public shapes of the line-protocol parser: options, limits (each named with its unit, with
 * its default), precisions, and the columnar result grouped by measurement.
 *
 * @module
 */
import type { Column } from "../../core/types/column.ts";
import type { TypeKind } from "../../core/types/data_type.ts";

/** Most lines (points, blank and comment lines included) in one body, by default. */
export const lpLinesMaxDefault = 1_000_000;
/** Most bytes in one line (without its `\n` or `\r\n`), by default; a longer line is rejected. */
export const lpLineBytesMaxDefault = 1_048_576;
/**
 * Most bytes of a point's key (measurement and tag set as written), by default: InfluxDB's
 * `MaxKeyLength`.
 */
export const lpKeyBytesMaxDefault = 65_535;
/** Most rejected lines described in `errors`, by default; the rest are only counted. */
export const lpErrorsMaxDefault = 1_000;
/** Most measurements (tables) one body may write to, by default. */
export const lpMeasurementsMaxDefault = 10_000;
/** Most columns (tags and fields, `time` not counted) one measurement may have, by default. */
export const lpColumnsPerMeasurementMaxDefault = 1_599;
/** Most tags in one line. */
export const lpTagsPerLineMax = 1_024;
/** Most fields in one line. */
export const lpFieldsPerLineMax = 1_024;
/** Most bytes of a rejected line that its error message quotes. */
export const lpErrorLineBytesMax = 256;
/** Most distinct series keys (measurement and tag set as written) cached per body. */
export const lpSeriesCacheEntriesMax = 65_536;
/** Most rows a measurement allocates for a guess of the body's lines (then it doubles). */
export const lpInitialRowsMax = 65_536;
/**
 * Most bytes per body allocated for rows guessed but not yet written: the first measurement's
 * time and the columns of each measurement's first line get the guess while this lasts; the rest
 * start small and double.
 */
export const lpPreallocatedBytesMax = 16 * 1024 * 1024;

/**
 * The unit of the timestamps in a body: InfluxDB v1 (`n`, `u`, `ms`, `s`, `m`, `h`) and v2
 * (`ns`, `us`, `ms`, `s`) spellings.
 */
export type Precision = "ns" | "n" | "us" | "u" | "ms" | "s" | "m" | "h";

/** Every accepted precision. */
export const precisions: readonly Precision[] = ["ns", "n", "us", "u", "ms", "s", "m", "h"];

/**
 * Reads a `precision` request parameter; `null` when it is not one InfluxDB accepts. An empty
 * string is the default, nanoseconds.
 *
 * @example
 * ```ts
 * import { parsePrecision } from "./types.ts";
 * console.assert(parsePrecision("ms") === "ms");
 * console.assert(parsePrecision("") === "ns");
 * console.assert(parsePrecision("days") === null);
 * ```
 */
export function parsePrecision(text: string): Precision | null {
  if (text === "") return "ns";
  return (precisions as readonly string[]).includes(text) ? text as Precision : null;
}

/**
 * The line-protocol type of a field: `1.5` float, `1i` integer, `1u` unsigned, `"a"` string,
 * `t` boolean. SQL types: DOUBLE PRECISION, BIGINT, BIGINT (values above 2^63 - 1 are
 * rejected), TEXT, BOOLEAN.
 */
export type LineProtocolFieldType = "float" | "integer" | "unsigned" | "string" | "boolean";

/** One field column of a measurement. */
export interface ParsedField {
  /** The field's line-protocol type (the same for every row of the body). */
  readonly type: LineProtocolFieldType;
  /** The values: float8, int8, text or bool; NULL where a row lacks the field. */
  readonly column: Column;
}

/** The accepted points of one measurement, as columns. */
export interface ParsedMeasurement {
  /** The measurement (table) name, unescaped. */
  readonly name: string;
  /** Rows (accepted points). */
  readonly rows: number;
  /** Microseconds since the epoch, one per row (the TIMESTAMPTZ representation). */
  readonly time: Float64Array;
  /** Tag key -> text column; NULL where a row lacks the tag. In first-seen order. */
  readonly tags: ReadonlyMap<string, Column>;
  /** Field key -> typed column; NULL where a row lacks the field. In first-seen order. */
  readonly fields: ReadonlyMap<string, ParsedField>;
  /** Rows whose nanosecond timestamp had a non-zero sub-microsecond part (floored away). */
  readonly subMicrosecondRows: number;
  /**
   * Points of this body that share a series and microsecond with another point whose nanosecond
   * timestamp differs: they merge (last write wins) only because OmenDB keeps microseconds.
   */
  readonly mergedPoints: number;
}

/** A rejected line. */
export interface LineError {
  /** 1-based line number in the body (blank and comment lines count). */
  readonly line: number;
  /** Why, in InfluxDB's words: `unable to parse 'cpu value=': missing field value`. */
  readonly reason: string;
}

/** What {@link parseLineProtocol} returns. */
export interface ParseResult {
  /** Accepted points by measurement name, in first-seen order; no measurement has 0 rows. */
  readonly measurements: Map<string, ParsedMeasurement>;
  /** The first `errorsMax` rejected lines, in order. */
  readonly errors: LineError[];
  /** All rejected lines, including those beyond `errorsMax`. */
  readonly rejected: number;
  /** Lines in the body (a final line without `\n` counts; a trailing `\n` adds none). */
  readonly lines: number;
  /** Accepted points (rows over all measurements). */
  readonly points: number;
}

/** Options of {@link parseLineProtocol}. */
export interface ParseLineProtocolOptions {
  /** Unit of the timestamps. Default `ns`. */
  readonly precision?: Precision;
  /** Time of points without a timestamp, in microseconds since the epoch (the server's clock). */
  readonly defaultTimeMicros: number;
  /** Most lines in the body; more throws a DbError 54000. Default {@link lpLinesMaxDefault}. */
  readonly linesMax?: number;
  /** Most bytes in one line; a longer one is rejected. Default {@link lpLineBytesMaxDefault}. */
  readonly lineBytesMax?: number;
  /** Most bytes of a point's key. Default {@link lpKeyBytesMaxDefault}. */
  readonly keyBytesMax?: number;
  /** Most rejected lines described in `errors`. Default {@link lpErrorsMaxDefault}. */
  readonly errorsMax?: number;
  /**
   * Most measurements in one body; a line naming one more is rejected. Default
   * {@link lpMeasurementsMaxDefault}.
   */
  readonly measurementsMax?: number;
  /**
   * Most columns (tags and fields) per measurement; a line that would add more is rejected.
   * Default {@link lpColumnsPerMeasurementMaxDefault}.
   */
  readonly columnsPerMeasurementMax?: number;
  /**
   * The columns the measurement's table already has (name -> SQL type kind), or `undefined`
   * when there is no such table. Called when a measurement is first seen in the body (again
   * after a rejected line, which does not keep the measurement). A value whose
   * type does not fit its column rejects the line with a field type conflict: float needs
   * `float8`, integer and unsigned `int8`, string and tags `text` or `varchar`, boolean `bool`.
   */
  readonly tableColumns?: (measurement: string) => ReadonlyMap<string, TypeKind> | undefined;
}
