/**
 * Time zones as PostgreSQL reads them for the `TimeZone` setting, `AT TIME ZONE` and zone names
 * in timestamptz input: a fixed UTC offset or an IANA zone (DST rules from the platform's ICU
 * data, through `Intl`). Offsets are seconds east of Greenwich.
 *
 * PostgreSQL's spelling rules, which differ by form:
 * - a bare number of hours (`8`, `'+08'`, `'-3'`) is ISO: positive is east (`<+08>-08`);
 * - a POSIX spec, an optional name followed by a signed offset (`'+05:00'`, `'UTC+3'`,
 *   `'<+08>-08'`), is POSIX: positive is **west**;
 * - anything else is a zone name (`'Europe/Berlin'`, `'EST'`, `'UTC'`), case-insensitive.
 *
 * @example
 * ```ts
 * import { parseTimeZone, utcTimeZone } from "./time_zone.ts";
 * console.assert(parseTimeZone("+08")!.offsetAt(0) === 8 * 3600);
 * console.assert(parseTimeZone("UTC+3")!.offsetAt(0) === -3 * 3600);
 * const berlin = parseTimeZone("Europe/Berlin")!;
 * console.assert(berlin.offsetAt(Date.UTC(2024, 6, 1) * 1000) === 7200);
 * console.assert(utcTimeZone.isUtc);
 * ```
 *
 * @module
 */

/** Microseconds in a second. */
const US_PER_S = 1_000_000;
/** Offsets are cached per UTC minute bucket of this many seconds. */
const OFFSET_CACHE_BUCKET_S = 60;
/** Cached offset buckets per zone, at most; the cache is dropped when it fills. */
export const zoneOffsetCacheEntriesMax = 100_000;
/** Largest UTC offset PostgreSQL accepts for a fixed-offset zone, in seconds (15:59:59). */
export const zoneOffsetSecondsMax = 15 * 3600 + 59 * 60 + 59;
/** Seconds either side of a local time looked at to find the offsets around a transition. */
const TRANSITION_WINDOW_S = 86_400;

/** A session or expression time zone. */
export class TimeZone {
  readonly #fixed: number | null;
  readonly #format: Intl.DateTimeFormat | null;
  readonly #cache = new Map<number, number>();

  private constructor(
    /** The name `SHOW timezone` prints. */
    readonly name: string,
    fixedOffsetSeconds: number | null,
    format: Intl.DateTimeFormat | null,
  ) {
    this.#fixed = fixedOffsetSeconds;
    this.#format = format;
  }

  /** A zone at a fixed offset (seconds east of UTC). */
  static fixed(name: string, offsetSeconds: number): TimeZone {
    return new TimeZone(name, offsetSeconds, null);
  }

  /** An IANA zone through `Intl`; `null` when the platform does not know the name. */
  static named(name: string): TimeZone | null {
    try {
      const format = new Intl.DateTimeFormat("en-US", {
        timeZone: name,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
      const resolved = format.resolvedOptions().timeZone;
      // Intl resolves aliases ("EST" -> "America/Panama"); SHOW keeps the name as written,
      // with the case of a known spelling.
      const display = resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
      if (/^(etc\/)?(utc|uct|zulu|universal|gmt0?|greenwich)$/i.test(name)) {
        return TimeZone.fixed(display, 0);
      }
      return new TimeZone(display, null, format);
    } catch {
      return null;
    }
  }

  /** Whether the offset can change (DST or history), so local-time arithmetic differs. */
  get hasRules(): boolean {
    return this.#fixed === null;
  }

  /** Whether this zone is UTC at every instant. */
  get isUtc(): boolean {
    return this.#fixed === 0;
  }

  /** The UTC offset in seconds east at the instant `utcMicros`. */
  offsetAt(utcMicros: number): number {
    if (this.#fixed !== null) return this.#fixed;
    if (!Number.isFinite(utcMicros)) return 0;
    const bucket = Math.floor(utcMicros / (US_PER_S * OFFSET_CACHE_BUCKET_S));
    const hit = this.#cache.get(bucket);
    if (hit !== undefined) return hit;
    const offset = this.#computeOffset(bucket * OFFSET_CACHE_BUCKET_S * 1000);
    if (this.#cache.size >= zoneOffsetCacheEntriesMax) this.#cache.clear();
    this.#cache.set(bucket, offset);
    return offset;
  }

  #computeOffset(utcMs: number): number {
    // JS Date covers +-8.64e15 ms; past it the zone's last known rule is the best guess.
    const ms = Math.max(-8.64e15 + 86_400_000, Math.min(8.64e15 - 86_400_000, utcMs));
    let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, bc = false;
    for (const p of this.#format!.formatToParts(ms)) {
      switch (p.type) {
        case "year":
          y = Number(p.value);
          break;
        case "month":
          mo = Number(p.value);
          break;
        case "day":
          d = Number(p.value);
          break;
        case "hour":
          h = Number(p.value);
          break;
        case "minute":
          mi = Number(p.value);
          break;
        case "second":
          s = Number(p.value);
          break;
        case "era":
          bc = p.value.startsWith("B");
          break;
        default:
          break;
      }
    }
    const date = new Date(0);
    date.setUTCFullYear(bc ? 1 - y : y, mo - 1, d);
    date.setUTCHours(h, mi, s, 0);
    const wholeSecondMs = Math.floor(ms / 1000) * 1000;
    return Math.round((date.getTime() - wholeSecondMs) / 1000);
  }

  /** Local wall-clock microseconds for the instant `utcMicros`. */
  toLocal(utcMicros: number): number {
    if (!Number.isFinite(utcMicros)) return utcMicros;
    return utcMicros + this.offsetAt(utcMicros) * US_PER_S;
  }

  /**
   * The instant of a local wall-clock time, as PostgreSQL resolves it: a time skipped by a
   * spring-forward transition takes the offset before it; a time repeated by a fall-back
   * transition takes the offset after it.
   */
  toUtc(localMicros: number): number {
    if (!Number.isFinite(localMicros)) return localMicros;
    if (this.#fixed !== null) return localMicros - this.#fixed * US_PER_S;
    const before = this.offsetAt(localMicros - TRANSITION_WINDOW_S * US_PER_S);
    const after = this.offsetAt(localMicros + TRANSITION_WINDOW_S * US_PER_S);
    const withAfter = localMicros - after * US_PER_S;
    if (this.offsetAt(withAfter) === after) return withAfter;
    const withBefore = localMicros - before * US_PER_S;
    if (this.offsetAt(withBefore) === before) return withBefore;
    if (before === after) {
      // no transition nearby: the offset at the guessed instant
      return localMicros - this.offsetAt(withAfter) * US_PER_S;
    }
    return withBefore; // in a spring-forward gap
  }
}

/** The default zone. */
export const utcTimeZone: TimeZone = TimeZone.fixed("UTC", 0);

/** `+hh[:mm[:ss]]` from seconds east, as PostgreSQL prints an offset (minutes only if not 0). */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? "-" : "+";
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  let text = `${sign}${String(h).padStart(2, "0")}`;
  if (m !== 0 || s !== 0) text += `:${String(m).padStart(2, "0")}`;
  if (s !== 0) text += `:${String(s).padStart(2, "0")}`;
  return text;
}

const ISO_HOURS_RE = /^\s*([+-]?)(\d{1,2}(?:\.\d+)?)\s*$/;
const POSIX_RE = /^\s*(<[^>]{1,32}>|[a-z]{3,})?\s*([+-]?)(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?\s*$/i;

/**
 * Reads a time zone as `SET TIME ZONE`, `AT TIME ZONE` and timestamptz input do; `null` when it
 * is not a zone PostgreSQL would accept.
 */
export function parseTimeZone(text: string): TimeZone | null {
  const iso = ISO_HOURS_RE.exec(text);
  if (iso) {
    const seconds = Math.round(Number(iso[2]) * 3600) * (iso[1] === "-" ? -1 : 1);
    if (Math.abs(seconds) > zoneOffsetSecondsMax) return null;
    if (seconds === 0) return TimeZone.fixed("UTC", 0);
    const hours = formatOffset(seconds);
    return TimeZone.fixed(`<${hours}>${formatOffset(-seconds)}`, seconds);
  }
  const named = /^[a-z]/i.test(text.trim()) ? TimeZone.named(text.trim()) : null;
  if (named !== null) return named;
  const posix = POSIX_RE.exec(text);
  if (posix) {
    const west = (Number(posix[3]) * 3600 + Number(posix[4] ?? 0) * 60 + Number(posix[5] ?? 0)) *
      (posix[2] === "-" ? -1 : 1);
    if (Math.abs(west) > zoneOffsetSecondsMax || Number(posix[4] ?? 0) > 59) return null;
    return TimeZone.fixed(text.trim(), -west);
  }
  return null;
}
