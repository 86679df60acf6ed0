/** An index over one segment's sorted key (e.g. the time column). */
export interface SegmentIndex {
  /**
   * Row range `[start, end)` that holds every key in `[low, high]`. May be wider than exact
   * (learned indexes predict positions); callers re-check.
   */
  lookupRange(low: number, high: number): { start: number; end: number };
  /** The index as bytes, to store beside the segment. */
  serialize(): Uint8Array;
  /** Memory the index uses, in bytes. */
  readonly sizeBytes: number;
}

/** Builds and loads segment indexes. */
export interface IndexPlugin {
  readonly name: string;
  /** Builds an index over keys sorted ascending. */
  build(sortedKeys: Float64Array): SegmentIndex;
  deserialize(bytes: Uint8Array): SegmentIndex;
}
