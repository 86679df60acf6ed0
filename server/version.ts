/**
 * The OmenDB release this source tree builds.
 *
 * @module
 */

/** OmenDB's version, printed by `omendb version` and logged at startup. */
export const omendbVersion = "0.1.0";
