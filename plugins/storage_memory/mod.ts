/**
 * The in-memory storage plugin (`memory`).
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/mod.ts";
 * import { storageMemory } from "./mod.ts";
 * const r = new PluginRegistry();
 * r.use(storageMemory);
 * console.assert(r.storage("memory") !== null);
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import { memoryStoragePlugin } from "./memory_storage.ts";

export { MemoryStorage, memoryStoragePlugin } from "./memory_storage.ts";

/** The plugin that registers in-memory storage. */
export const storageMemory: Plugin = {
  name: "storage_memory",
  apiVersion: 1,
  register(registry) {
    registry.addStorage(memoryStoragePlugin);
  },
};
