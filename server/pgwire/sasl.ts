/**
 * The server side of SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL runs it inside SASL
 * authentication messages, checked against a stored PostgreSQL-format verifier: the password
 * itself never reaches the server. No channel binding (`-PLUS`) is offered. An unknown user
 * gets a made-up salt that is stable per user name, and fails only at the proof, so the
 * exchange does not reveal which users exist.
 *
 * @example
 * ```ts
 * import { ScramExchange } from "./sasl.ts";
 * import { createVerifier } from "../../core/catalog/scram.ts";
 * const verifier = await createVerifier("pw", { iterations: 16 });
 * const x = new ScramExchange(verifier, "ann", new Uint8Array(32));
 * const first = await x.serverFirst("n,,n=,r=abcdef");
 * console.assert(first !== null && first.startsWith("r=abcdef") && first.includes(",i=16"));
 * ```
 *
 * @module
 */
import { parseVerifier, timingSafeEqual } from "../../core/catalog/scram.ts";

/** The SASL mechanism offered. */
export const scramMechanism = "SCRAM-SHA-256";
/** Random bytes in the server's part of the nonce. */
export const scramServerNonceBytes = 18;

const encoder = new TextEncoder();

async function hmac(key: Uint8Array, message: string | Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const data = typeof message === "string" ? encoder.encode(message) : message;
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data as Uint8Array<ArrayBuffer>));
}

function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    return null;
  }
}

/** One SCRAM exchange; a failure at any step is a failed login. */
export class ScramExchange {
  readonly #verifier: string | null;
  readonly #user: string;
  readonly #secret: Uint8Array;
  #clientFirstBare = "";
  #serverFirst = "";
  #nonce = "";
  #gs2Header = "";

  /**
   * `verifier`: the user's stored verifier (`null` for an unknown user or one without a
   * password); `secret`: server-wide random bytes that salt made-up verifiers.
   */
  constructor(verifier: string | null, user: string, secret: Uint8Array) {
    this.#verifier = verifier;
    this.#user = user;
    this.#secret = secret;
  }

  #keys(): ReturnType<typeof parseVerifier> {
    return this.#verifier === null ? null : parseVerifier(this.#verifier);
  }

  /** The server-first message for the client-first one; `null` when it is malformed. */
  async serverFirst(clientFirst: string): Promise<string | null> {
    // gs2-header: n (no channel binding) or y (client could, server did not offer); no authzid
    const m = /^([ny]),,(n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?)$/.exec(clientFirst);
    if (m === null) return null;
    this.#gs2Header = `${m[1]},,`;
    this.#clientFirstBare = m[2]!;
    const serverNonce = crypto.getRandomValues(new Uint8Array(scramServerNonceBytes)).toBase64();
    this.#nonce = m[3]! + serverNonce;
    const keys = this.#keys();
    const salt = keys?.salt ??
      (await hmac(this.#secret, `salt\u0000${this.#user}`)).subarray(0, 16);
    const iterations = keys?.iterations ?? 4096;
    this.#serverFirst = `r=${this.#nonce},s=${salt.toBase64()},i=${iterations}`;
    return this.#serverFirst;
  }

  /** The server-final message (`v=...`) when the proof is right, else `null`. */
  async serverFinal(clientFinal: string): Promise<string | null> {
    const m = /^c=([A-Za-z0-9+/=]+),r=([^,]+)(?:,[^p][^,]*)*,p=([A-Za-z0-9+/=]+)$/.exec(
      clientFinal,
    );
    if (m === null || this.#serverFirst === "") return null;
    const binding = fromBase64(m[1]!);
    const proof = fromBase64(m[3]!);
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(",p="));
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const keys = this.#keys();
    const storedKey = keys?.storedKey ?? new Uint8Array(32);
    const serverKey = keys?.serverKey ?? new Uint8Array(32);
    const signature = await hmac(storedKey, authMessage);
    const clientKey = new Uint8Array(32);
    const proofOk = proof !== null && proof.length === 32;
    for (let i = 0; i < 32; i++) clientKey[i] = (proofOk ? proof[i]! : 0) ^ signature[i]!;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey));
    const same = timingSafeEqual(digest, storedKey);
    const bindingOk = binding !== null &&
      new TextDecoder().decode(binding) === this.#gs2Header;
    if (!same || !proofOk || !bindingOk || m[2] !== this.#nonce || keys === null) return null;
    return `v=${(await hmac(serverKey, authMessage)).toBase64()}`;
  }
}
