/**
 * Just enough of the WebAssembly binary format to (1) read a module's imports and memory limits
 * before running it and (2) build small modules by hand (demo agents and tests; no toolchain needed).
 */

// ---- reading ----------------------------------------------------------------------------------

export interface MemoryLimits {
  min: number;
  max: number | undefined;
}

export interface WasmImport {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  /** Set for memory imports. */
  limits?: MemoryLimits;
}

export interface WasmModuleInfo {
  imports: WasmImport[];
  /** Memories the module defines itself (not imported). */
  memories: MemoryLimits[];
  exports: string[];
}

export class WasmFormatError extends Error {
  override name = "WasmFormatError";
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(`Not a valid WebAssembly module (at byte ${offset}): ${message}.`);
    this.offset = offset;
  }
}

class Reader {
  pos = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new WasmFormatError(this.pos, "unexpected end");
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new WasmFormatError(this.pos, "LEB128 integer too long");
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    if (flags > 3)
      throw new WasmFormatError(this.pos, `unsupported limits flags 0x${flags.toString(16)} (memory64?)`);
    const min = this.u32();
    const max = flags & 1 ? this.u32() : undefined;
    return { min, max };
  }
}

const KINDS = ["function", "table", "memory", "global", "tag"] as const;

export function inspectWasm(bytes: Uint8Array): WasmModuleInfo {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const b of magic)
    if (r.byte() !== b) throw new WasmFormatError(r.pos - 1, "bad magic number or version");
  const info: WasmModuleInfo = { imports: [], memories: [], exports: [] };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new WasmFormatError(r.pos, `section ${id} runs past the end`);
    if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name();
        const name = r.name();
        const kind = KINDS[r.byte()];
        if (kind === undefined) throw new WasmFormatError(r.pos - 1, "unknown import kind");
        const entry: WasmImport = { module, name, kind };
        if (kind === "function") {
          r.u32(); // type index
        } else if (kind === "table") {
          r.byte(); // element type
          r.limits();
        } else if (kind === "memory") {
          entry.limits = r.limits();
        } else if (kind === "global") {
          r.byte(); // value type
          r.byte(); // mutability
        } else {
          r.byte(); // tag attribute
          r.u32(); // type index
        }
        info.imports.push(entry);
      }
    } else if (id === 5) {
      for (let n = r.u32(); n > 0; n--) info.memories.push(r.limits());
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        info.exports.push(r.name());
        r.byte();
        r.u32();
      }
    }
    r.pos = end;
  }
  return info;
}

// ---- building ---------------------------------------------------------------------------------

export const I32 = 0x7f;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const enc = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] =>
  body.length === 0 ? [] : [id, ...uleb(body.length), ...body];

export interface BuildSpec {
  /** Function imports: module, name, and the index of their type. */
  functionImports?: Array<{ module: string; name: string; type: number }>;
  /** Import `env.memory` with these limits (instead of defining a memory). */
  importMemory?: MemoryLimits;
  /** Define a memory (exported as `memory`). */
  memory?: MemoryLimits;
  /** Function types: params and results as value-type bytes. */
  types: Array<{ params: number[]; results: number[] }>;
  /** Functions defined here; exported under `export` when set. */
  functions: Array<{
    type: number;
    locals?: Array<[count: number, type: number]>;
    body: number[];
    export?: string;
  }>;
}

const limits = (l: MemoryLimits): number[] =>
  l.max === undefined ? [0, ...uleb(l.min)] : [1, ...uleb(l.min), ...uleb(l.max)];

/** Assembles a module from its parts (sections in the order the format requires). */
export function buildWasm(spec: BuildSpec): Uint8Array {
  const imports = [
    ...(spec.functionImports ?? []).map((i) => [...enc(i.module), ...enc(i.name), 0, ...uleb(i.type)]),
    ...(spec.importMemory ? [[...enc("env"), ...enc("memory"), 2, ...limits(spec.importMemory)]] : []),
  ];
  const importedFns = spec.functionImports?.length ?? 0;
  const exports = spec.functions.flatMap((f, i) =>
    f.export ? [[...enc(f.export), 0, ...uleb(importedFns + i)]] : [],
  );
  if (spec.memory) exports.push([...enc("memory"), 2, 0]);
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(
      1,
      vec(spec.types.map((t) => [0x60, ...vec(t.params.map((p) => [p])), ...vec(t.results.map((p) => [p]))])),
    ),
    ...section(2, imports.length ? vec(imports) : []),
    ...section(3, vec(spec.functions.map((f) => uleb(f.type)))),
    ...section(5, spec.memory ? vec([limits(spec.memory)]) : []),
    ...section(7, vec(exports)),
    ...section(
      10,
      vec(
        spec.functions.map((f) => {
          const body = [...vec((f.locals ?? []).map(([c, t]) => [...uleb(c), t])), ...f.body, 0x0b];
          return [...uleb(body.length), ...body];
        }),
      ),
    ),
  ];
  return new Uint8Array(bytes);
}

/** The sandbox ABI's entry type: run(inPtr, inLen, outPtr, outCap) -> outLen (negative: error code). */
export const RUN_TYPE = { params: [I32, I32, I32, I32], results: [I32] };

/**
 * A demo agent as WASM: upper-cases ASCII letters of its input (the JSON text), byte by byte.
 * Imports `env.memory` only.
 */
export function uppercaseWasm(): Uint8Array {
  // params: 0 in, 1 len, 2 out, 3 cap; locals: 4 i, 5 b
  const body = [
    0x20,
    1,
    0x20,
    3,
    0x4b,
    0x04,
    0x40,
    0x41,
    ...sleb(-2),
    0x0f,
    0x0b, // if len > cap: return -2
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    0x20,
    4,
    0x20,
    1,
    0x4f,
    0x0d,
    1, // if i >= len: break
    0x20,
    0,
    0x20,
    4,
    0x6a,
    0x2d,
    0,
    0,
    0x21,
    5, // b = mem[in + i]
    0x20,
    2,
    0x20,
    4,
    0x6a, // &out[i]
    0x20,
    5,
    0x20,
    5,
    0x41,
    ...sleb(97),
    0x6b,
    0x41,
    ...sleb(26),
    0x49, // b, (b - 'a') <u 26
    0x41,
    ...sleb(32),
    0x6c,
    0x6b,
    0x3a,
    0,
    0, // out[i] = b - 32 * isLower
    0x20,
    4,
    0x41,
    1,
    0x6a,
    0x21,
    4,
    0x0c,
    0, // i++, continue
    0x0b,
    0x0b, // end loop, end block
    0x20,
    1, // return len
  ];
  return buildWasm({
    importMemory: { min: 1, max: undefined },
    types: [RUN_TYPE],
    functions: [{ type: 0, locals: [[2, I32]], body, export: "run" }],
  });
}
