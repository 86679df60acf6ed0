/**
 * InfluxDB line protocol, parsed from bytes into OmenDB columns grouped by measurement: one pass,
 * no regex, no object per row, a string only per distinct series key and per string value.
 * Rejected lines are reported one by one (1-based line numbers, InfluxDB's wording) and leave
 * nothing in the columns. No HTTP and no database here: the write route appends the columns.
 *
 * See docs/line_protocol.md for the grammar, the SQL types and the limits.
 *
 * @example
 * ```ts
 * import { parseLineProtocol, parsePrecision } from "./mod.ts";
 * const body = new TextEncoder().encode("weather,city=Oslo temp=-3.5,ok=t 1700000000\n");
 * const result = parseLineProtocol(body, {
 *   precision: parsePrecision("s")!,
 *   defaultTimeMicros: Date.now() * 1000,
 * });
 * const weather = result.measurements.get("weather")!;
 * console.assert(weather.time[0] === 1_700_000_000_000_000);
 * console.assert(weather.fields.get("temp")!.column.data![0] === -3.5);
 * console.assert(result.points === 1 && result.errors.length === 0);
 * ```
 *
 * @module
 */
export { parseLineProtocol } from "./parser.ts";
export {
  type LineError,
  type LineProtocolFieldType,
  lpColumnsPerMeasurementMaxDefault,
  lpErrorLineBytesMax,
  lpErrorsMaxDefault,
  lpFieldsPerLineMax,
  lpInitialRowsMax,
  lpKeyBytesMaxDefault,
  lpLineBytesMaxDefault,
  lpLinesMaxDefault,
  lpMeasurementsMaxDefault,
  lpPreallocatedBytesMax,
  lpSeriesCacheEntriesMax,
  lpTagsPerLineMax,
  type ParsedField,
  type ParsedMeasurement,
  type ParseLineProtocolOptions,
  parsePrecision,
  type ParseResult,
  type Precision,
  precisions,
} from "./types.ts";
