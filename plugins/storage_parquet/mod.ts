/**
 * Parquet storage: the segment codec that turns OmenDB column batches into Parquet files in
 * memory and back (see `segment_codec.ts` for the format and the type mapping).
 *
 * @example
 * ```ts
 * import { encodeSegment, readSegmentFooter } from "./mod.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/data_type.ts";
 * const bytes = await encodeSegment(
 *   [{ id: 1, name: "v", type: Types.int4 }],
 *   [columnFromValues(Types.int4, [3, 1, 2])],
 *   3,
 * );
 * console.assert(readSegmentFooter(bytes).columns[0]!.stats.max === 3);
 * ```
 *
 * @module
 */
export {
  type ColumnStats,
  decodeSegment,
  encodeSegment,
  type EncodeSegmentOptions,
  readSegmentFooter,
  type SegmentColumnSpec,
  type SegmentFooter,
  segmentRowGroupRowsDefault,
  segmentRowsMax,
  type StatValue,
} from "./segment_codec.ts";

import type { Plugin } from "../../core/plugin/registry.ts";
import { parquetStoragePlugin } from "./parquet_storage.ts";

export {
  indexKeys,
  ParquetStorage,
  parquetStoragePlugin,
  type StorageProblem,
  type StorageVerifyReport,
} from "./parquet_storage.ts";
export { lsnColumn } from "./segment_build.ts";

/** Registers the durable Parquet storage engine (`parquet`), used for data directories. */
export const storageParquet: Plugin = {
  name: "storage_parquet",
  apiVersion: 1,
  register(registry) {
    registry.addStorage(parquetStoragePlugin);
  },
};
