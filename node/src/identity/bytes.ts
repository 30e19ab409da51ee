/** Small byte helpers (hex, base64, concat). */

export function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string, length?: number): Uint8Array {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (!/^([0-9a-fA-F]{2})*$/.test(body) || (length !== undefined && body.length !== length * 2)) {
    throw new RangeError(`"${hex}" is not ${length === undefined ? "" : `${length} bytes of `}hex`);
  }
  return new Uint8Array(Buffer.from(body, "hex"));
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
