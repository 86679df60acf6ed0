import type { Statement } from "../sql/ast.ts";
import type { Limits } from "../limits.ts";

/** Options a parser receives with each call. */
export interface ParseOptions {
  readonly limits: Limits;
}

/**
 * Turns SQL text into statements. Throws `SqlSyntaxError` (42601) with line and column for
 * malformed input; never throws anything that is not a `DbError`.
 */
export interface ParserPlugin {
  readonly name: string;
  parse(sql: string, options: ParseOptions): Statement[];
}
