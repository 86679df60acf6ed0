/**
 * The default write-ahead-log plugin (`file`).
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

export { encodeRecord, fileWalPlugin, scanLog, walMagic } from "./log_file.ts";
export { crc32c } from "./crc32c.ts";

/** Registers the file WAL. */
export const wal: Plugin = {
  name: "wal",
  apiVersion: 1,
  register(registry) {
    registry.addWal(fileWalPlugin);
  },
};
