/**
 * Per-group (N, Sx, Sxx) in PostgreSQL's float8_accum form (Youngs-Cramer), shared by `avg` over
 * floats and the variance family, so results and overflow errors match PostgreSQL's float8
 * aggregates bit for bit.
 *
 * @module
 */
import { isValid } from "../../../core/types/column.ts";
import { floatOverflow } from "../_common.ts";
import { growArray, grownCapacity } from "./_groups.ts";

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity;
}

/** Count, sum and sum of squared deviations per group. */
export class Moments {
  /** Values per group. */
  n = new Float64Array(0);
  /** Sum of values per group. */
  sx = new Float64Array(0);
  /** Sum of squared deviations from the mean per group. */
  sxx = new Float64Array(0);

  /** Grows the per-group arrays to hold `groupCount` groups. */
  ensure(groupCount: number): void {
    if (this.n.length >= groupCount) return;
    const cap = grownCapacity(this.n.length, groupCount);
    this.n = growArray(this.n, cap);
    this.sx = growArray(this.sx, cap);
    this.sxx = growArray(this.sxx, cap);
  }

  /** Adds the valid rows of a float8 column (PostgreSQL's float8_accum). */
  add(data: Float64Array, validity: Uint8Array | null, groupIds: Uint32Array, length: number) {
    const nArr = this.n;
    const sxArr = this.sx;
    const sxxArr = this.sxx;
    for (let i = 0; i < length; i++) {
      if (!isValid(validity, i)) continue;
      const x = data[i]!;
      const g = groupIds[i]!;
      const n0 = nArr[g]!;
      const sx0 = sxArr[g]!;
      const n = n0 + 1;
      const sx = sx0 + x;
      let sxx = sxxArr[g]!;
      if (n0 > 0) {
        const tmp = x * n - sx;
        sxx += (tmp * tmp) / (n * n0);
        if (isInf(sx) || isInf(sxx)) {
          if (!isInf(sx0) && !isInf(x)) throw floatOverflow();
          sxx = NaN;
        }
      } else if (Number.isNaN(x) || isInf(x)) sxx = NaN;
      nArr[g] = n;
      sxArr[g] = sx;
      sxxArr[g] = sxx;
    }
  }

  /** Folds `other`'s groups in (PostgreSQL's float8_combine). */
  merge(other: Moments, groupMap: Uint32Array, count: number): void {
    for (let g = 0; g < count; g++) {
      const n2 = other.n[g]!;
      if (n2 === 0) continue;
      const t = groupMap[g]!;
      const n1 = this.n[t]!;
      if (n1 === 0) {
        this.n[t] = n2;
        this.sx[t] = other.sx[g]!;
        this.sxx[t] = other.sxx[g]!;
        continue;
      }
      const sx1 = this.sx[t]!;
      const sx2 = other.sx[g]!;
      const sxx1 = this.sxx[t]!;
      const sxx2 = other.sxx[g]!;
      const n = n1 + n2;
      const sx = sx1 + sx2;
      if (isInf(sx) && !isInf(sx1) && !isInf(sx2)) throw floatOverflow();
      const tmp = sx1 / n1 - sx2 / n2;
      const sxx = sxx1 + sxx2 + (n1 * n2 * tmp * tmp) / n;
      if (isInf(sxx) && !isInf(sxx1) && !isInf(sxx2)) throw floatOverflow();
      this.n[t] = n;
      this.sx[t] = sx;
      this.sxx[t] = sxx;
    }
  }
}
