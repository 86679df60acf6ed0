/**
 * The learned segment index plugin (`rmi`): a two-stage recursive model index over a segment's
 * sorted timestamps, with proven per-leaf error bounds (see `rmi.ts`) and a checksummed byte
 * format (see `format.ts`). `binary_search.ts` holds the exact baseline it is measured against.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/mod.ts";
 * import { indexRmi } from "./mod.ts";
 * const r = new PluginRegistry();
 * r.use(indexRmi);
 * const index = r.index("rmi")!.build(Float64Array.of(1, 2, 3));
 * console.assert(index.lookupRange(2, 2).start <= 1 && index.lookupRange(2, 2).end >= 2);
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import { rmiIndexPlugin } from "./rmi.ts";

export {
  buildRmi,
  type RmiBuildOptions,
  RmiIndex,
  rmiIndexPlugin,
  rmiKeysPerLeafDefault,
  rmiLeafCountDefault,
} from "./rmi.ts";
export {
  decodeRmi,
  encodeRmi,
  rmiEncodedBytes,
  rmiFormatVersion,
  rmiKeyCountMax,
  rmiLeafCountMax,
  rmiMagic,
  type RmiModel,
} from "./format.ts";
export { lowerBound, upperBound } from "./binary_search.ts";

/** Registers the `rmi` segment index. */
export const indexRmi: Plugin = {
  name: "index_rmi",
  apiVersion: 1,
  register(registry) {
    registry.addIndex(rmiIndexPlugin);
  },
};
