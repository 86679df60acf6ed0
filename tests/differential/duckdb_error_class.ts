/**
 * DuckDB errors carry no SQLSTATE: their message starts with an error type ("Binder Error: ...").
 * This maps them to SQLSTATE classes so that they compare with OmenDB's and PostgreSQL's codes.
 * The rules are tried in order; the first match wins. Anything unrecognised maps to `XX`
 * (internal error), so that it shows up as a mismatch rather than matching silently.
 *
 * | DuckDB message                          | class | PostgreSQL counterpart                      |
 * |-----------------------------------------|-------|---------------------------------------------|
 * | contains "Division by zero"             | 22    | 22012 division_by_zero                      |
 * | `Out of Range Error`                    | 22    | 22003 numeric_value_out_of_range           |
 * | `Conversion Error`                      | 22    | 22P02 invalid_text_representation, 22003    |
 * | `Invalid Input Error`                   | 22    | 22023 / 22P02                               |
 * | `Binder Error`                          | 42    | 42703 undefined_column, 42883, 42804, 42803 |
 * | `Catalog Error`                         | 42    | 42P01 undefined_table, 42883 function       |
 * | `Parser Error`                          | 42    | 42601 syntax_error                          |
 * | `Permission Error`                      | 42    | 42501 insufficient_privilege                |
 * | `Not implemented Error`                 | 0A    | 0A000 feature_not_supported                 |
 * | `Constraint Error`                      | 23    | 23502 / 23505 integrity violations          |
 * | `Interrupt Error`                       | 57    | 57014 query_canceled                        |
 * | `TransactionContext Error`              | 25    | 25xxx invalid transaction state             |
 * | `Out of Memory Error`                   | 53    | 53200 out_of_memory                         |
 * | `IO Error`                              | 58    | 58030 io_error                              |
 * | `INTERNAL Error` and anything else      | XX    | XX000 internal_error                        |
 *
 * @module
 */

/** One mapping rule: a message pattern and the SQLSTATE class it stands for. */
export interface DuckdbErrorClassRule {
  readonly pattern: RegExp;
  readonly sqlClass: string;
}

/** The rules, in the order they are tried. */
export const duckdbErrorClassRules: readonly DuckdbErrorClassRule[] = [
  { pattern: /division by zero/i, sqlClass: "22" },
  { pattern: /^Out of Range Error\b/, sqlClass: "22" },
  { pattern: /^Conversion Error\b/, sqlClass: "22" },
  { pattern: /^Invalid Input Error\b/, sqlClass: "22" },
  { pattern: /^Binder Error\b/, sqlClass: "42" },
  { pattern: /^Catalog Error\b/, sqlClass: "42" },
  { pattern: /^Parser Error\b/, sqlClass: "42" },
  { pattern: /^Permission Error\b/, sqlClass: "42" },
  { pattern: /^Not implemented Error\b/i, sqlClass: "0A" },
  { pattern: /^Constraint Error\b/, sqlClass: "23" },
  { pattern: /^Interrupt Error\b/, sqlClass: "57" },
  { pattern: /^TransactionContext Error\b/, sqlClass: "25" },
  { pattern: /^Out of Memory Error\b/, sqlClass: "53" },
  { pattern: /^IO Error\b/, sqlClass: "58" },
];

/** The class given to a DuckDB error that no rule recognises. */
export const duckdbUnknownErrorClass = "XX";

/** The SQLSTATE class of a DuckDB error message. */
export function duckdbErrorClass(message: string): string {
  for (const rule of duckdbErrorClassRules) {
    if (rule.pattern.test(message)) return rule.sqlClass;
  }
  return duckdbUnknownErrorClass;
}
