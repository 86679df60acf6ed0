/**
 * Exact decimal arithmetic for NUMERIC. A value is stored as its canonical text (digits, an
 * optional point, exactly `scale` fractional digits: "-12.50"), so columns reuse the string
 * paths; computations go through {@link Dec}: an unscaled bigint and a scale. Results follow
 * PostgreSQL's rules for result scales (select_div_scale for division) and round half away
 * from zero.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";

/** A decimal value: `v / 10^s`. */
export interface Dec {
  readonly v: bigint;
  readonly s: number;
}

/** Largest scale (fractional digits) a NUMERIC value may carry. */
export const numericScaleMax = 1000;
/** Largest precision a NUMERIC(p, s) type modifier may give. */
export const numericPrecisionMax = 1000;
/** Fewest significant digits of a division result (PostgreSQL's NUMERIC_MIN_SIG_DIGITS). */
const divisionSignificantDigitsMin = 16;

const NUMERIC_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

function invalid(text: string): DbError {
  return new DbError(
    SqlState.invalidTextRepresentation,
    `invalid input syntax for type numeric: "${text}"`,
  );
}

/**
 * Parses numeric text ("1.50", "-3e2", ".5") keeping its scale; NaN and infinities are not
 * supported as NUMERIC values (22P02).
 *
 * @example
 * ```ts
 * import { parseDec, formatDec } from "./numeric.ts";
 * console.assert(formatDec(parseDec("1.50")) === "1.50");
 * ```
 */
export function parseDec(text: string): Dec {
  const m = NUMERIC_RE.exec(text);
  if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) throw invalid(text);
  const frac = m[3] ?? "";
  let digits = (m[2] ?? "") + frac;
  let scale = frac.length;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > numericScaleMax * 2) throw invalid(text);
  scale -= exp;
  if (scale < 0) {
    digits += "0".repeat(-scale);
    scale = 0;
  }
  if (scale > numericScaleMax) {
    throw new DbError(SqlState.numericValueOutOfRange, "value overflows numeric format");
  }
  const v = BigInt(digits === "" ? "0" : digits);
  return { v: m[1] === "-" ? -v : v, s: scale };
}

/** Canonical text: exactly `s` fractional digits. */
export function formatDec(d: Dec): string {
  const neg = d.v < 0n;
  let digits = (neg ? -d.v : d.v).toString();
  if (d.s === 0) return neg ? `-${digits}` : digits;
  if (digits.length <= d.s) digits = "0".repeat(d.s - digits.length + 1) + digits;
  const int = digits.slice(0, digits.length - d.s);
  return `${neg ? "-" : ""}${int}.${digits.slice(digits.length - d.s)}`;
}

const pow10Cache: bigint[] = [];
/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  let p = pow10Cache[n];
  if (p === undefined) {
    p = 10n ** BigInt(n);
    if (n < 2048) pow10Cache[n] = p;
  }
  return p;
}

/** Rescales exactly upward, or rounds half away from zero downward. */
export function rescale(d: Dec, s: number): Dec {
  if (s === d.s) return d;
  if (s > d.s) return { v: d.v * pow10(s - d.s), s };
  return { v: divRound(d.v, pow10(d.s - s)), s };
}

/** a / b rounded half away from zero (b > 0 or < 0). */
function divRound(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const bAbs = b < 0n ? -b : b;
  if (twice >= bAbs) return (a < 0n) !== (b < 0n) ? q - 1n : q + 1n;
  return q;
}

/** Three-way comparison. */
export function compareDec(a: Dec, b: Dec): number {
  const s = Math.max(a.s, b.s);
  const x = rescale(a, s).v;
  const y = rescale(b, s).v;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a + b (scale: the larger scale). */
export function addDec(a: Dec, b: Dec): Dec {
  const s = Math.max(a.s, b.s);
  return { v: rescale(a, s).v + rescale(b, s).v, s };
}

/** a - b. */
export function subDec(a: Dec, b: Dec): Dec {
  const s = Math.max(a.s, b.s);
  return { v: rescale(a, s).v - rescale(b, s).v, s };
}

/** a * b (scale: the sum of scales, at most numericScaleMax). */
export function mulDec(a: Dec, b: Dec): Dec {
  const p = { v: a.v * b.v, s: a.s + b.s };
  return p.s > numericScaleMax ? rescale(p, numericScaleMax) : p;
}

/** PostgreSQL's base-10000 weight and first digit of |d| (for select_div_scale). */
function nbaseWeight(d: Dec): { weight: number; first: number } {
  const abs = d.v < 0n ? -d.v : d.v;
  if (abs === 0n) return { weight: 0, first: 0 };
  const digits = abs.toString();
  // Position of the decimal point from the left of `digits`.
  const intLen = digits.length - d.s;
  // Base-10000 groups are aligned on the decimal point.
  const weight = intLen > 0 ? Math.floor((intLen - 1) / 4) : -Math.floor(-intLen / 4) - 1;
  // first digit group: the 4 decimal digits of group `weight`.
  const groupStart = intLen - (weight + 1) * 4; // index in digits of the group's first char
  let group = "";
  for (let i = groupStart; i < groupStart + 4; i++) {
    group += i >= 0 && i < digits.length ? digits[i] : "0";
  }
  return { weight, first: Number(group) };
}

/** a / b with PostgreSQL's result scale; 22012 for a zero divisor. */
export function divDec(a: Dec, b: Dec): Dec {
  if (b.v === 0n) throw new DbError(SqlState.divisionByZero, "division by zero");
  const wa = nbaseWeight(a);
  const wb = nbaseWeight(b);
  let qweight = wa.weight - wb.weight;
  if (wa.first <= wb.first) qweight--;
  let rscale = divisionSignificantDigitsMin - qweight * 4;
  rscale = Math.min(Math.max(rscale, a.s, b.s, 0), numericScaleMax);
  // v = a / b * 10^rscale = a.v * 10^(rscale + b.s - a.s) / b.v
  const shift = rscale + b.s - a.s;
  const num = shift >= 0 ? a.v * pow10(shift) : a.v;
  const den = shift >= 0 ? b.v : b.v * pow10(-shift);
  return { v: divRound(num, den), s: rscale };
}

/** floor(sqrt(n)) of a non-negative bigint (Newton's method). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  const f = Math.sqrt(Number(n));
  // the float estimate is close; past the float range (n >= 2^1024) start above the root from
  // the bit length instead. Newton steps make it exact
  let x = Number.isFinite(f) && f >= 1
    ? BigInt(Math.floor(f))
    : 1n << BigInt(Math.ceil((n.toString(16).length * 4) / 2));
  // one step from any start lands at or above floor(sqrt(n)) (AM-GM); from there Newton's
  // steps go down to it. (A start below the root left alone would need ±1 steps: a float's
  // 53 bits are far from the root of a 300-digit value.)
  x = (x + n / x) >> 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/**
 * The square root of `d` (>= 0) rounded half up to `scale` fractional digits, as PostgreSQL's
 * sqrt_var does for the numeric variance family.
 *
 * @example
 * ```ts
 * import { formatDec, parseDec, sqrtDec } from "./numeric.ts";
 * console.assert(formatDec(sqrtDec(parseDec("2"), 4)) === "1.4142");
 * ```
 */
export function sqrtDec(d: Dec, scale: number): Dec {
  if (d.v < 0n) {
    throw new DbError(
      SqlState.invalidArgumentForPowerFunction,
      "cannot take square root of a negative number",
    );
  }
  // floor(sqrt(d) * 10^(scale + 1)), then round on the extra digit
  const shift = 2 * (scale + 1) - d.s;
  const n = shift >= 0 ? d.v * pow10(shift) : d.v / pow10(-shift);
  return { v: (isqrt(n) + 5n) / 10n, s: scale };
}

/** a % b (sign of a; scale: the larger scale); 22012 for a zero divisor. */
export function modDec(a: Dec, b: Dec): Dec {
  if (b.v === 0n) throw new DbError(SqlState.divisionByZero, "division by zero");
  const s = Math.max(a.s, b.s);
  return { v: rescale(a, s).v % rescale(b, s).v, s };
}

/** Rounds to NUMERIC(precision, scale), raising 22003 when the integer part does not fit. */
export function fitDec(d: Dec, precision: number | null, scale: number | null): Dec {
  if (scale === null) return d;
  const r = rescale(d, scale);
  if (precision !== null) {
    const limit = pow10(precision);
    if ((r.v < 0n ? -r.v : r.v) >= limit) {
      throw new DbError(SqlState.numericValueOutOfRange, "numeric field overflow", {
        detail:
          `A field with precision ${precision}, scale ${scale} must round to an absolute value less than 10^${
            precision - scale
          }.`,
      });
    }
  }
  return r;
}

/** A key equal for equal values whatever their scale ("1.50" and "1.5"). */
export function decKey(text: string): string {
  if (!text.includes(".")) return text === "-0" ? "0" : text;
  let t = text.replace(/0+$/, "");
  if (t.endsWith(".")) t = t.slice(0, -1);
  return t === "-0" ? "0" : t;
}

/** The nearest float64. */
export function decToNumber(d: Dec): number {
  return Number(formatDec(d));
}

/** A float converted as PostgreSQL does (15 significant digits); NaN/Infinity are 22P02. */
export function decFromNumber(x: number): Dec {
  if (!Number.isFinite(x)) {
    throw new DbError(SqlState.featureNotSupported, `cannot convert ${x} to numeric yet`);
  }
  return parseDec(Number(x.toPrecision(15)).toString());
}

/** An integer as a decimal. */
export function decFromInteger(x: number | bigint): Dec {
  return { v: BigInt(x), s: 0 };
}
