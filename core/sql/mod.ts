/**
 * The SQL syntax tree shared by parser plugins and the binder.
 *
 * @example
 * ```ts
 * import type { Statement } from "./mod.ts";
 * const s: Statement = { kind: "unsupported", what: "VACUUM", pos: 0 };
 * console.assert(s.kind === "unsupported");
 * ```
 *
 * @module
 */
export * from "./ast.ts";
export * from "./walk.ts";
export * from "./identifiers.ts";
export * from "./build.ts";
