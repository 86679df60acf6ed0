/**
 * The default write-ahead-log plugin (`file`): segment files with group commit, rotation,
 * truncation after checkpoints, torn-tail repair on open, and `verifyWal` for an offline check.
 * docs/wal.md describes the format and what each durability level promises.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/mod.ts";
 * import { wal } from "./mod.ts";
 * const r = new PluginRegistry();
 * r.use(wal);
 * console.assert(r.wal("file") !== null);
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import { fileWalPlugin } from "./log_file.ts";

export {
  fileWalPlugin,
  walSegmentBytesMaxDefault,
  walSegmentBytesMin,
  walSyncIntervalMsDefault,
  walSyncIntervalMsMax,
} from "./log_file.ts";
export {
  encodeRecord,
  readRecords,
  segmentName,
  walHeaderBytes,
  walMagic,
  walRecordHeaderBytes,
  walRecordPayloadBytesMax,
} from "./segment_format.ts";
export { verifyWal, type WalProblem } from "./verify.ts";
export { crc32c } from "./crc32c.ts";

/** Registers the file WAL. */
export const wal: Plugin = {
  name: "wal",
  apiVersion: 1,
  register(registry) {
    registry.addWal(fileWalPlugin);
  },
};
