/**
 * Minimal .npy (format 1.0) reader and writer for the dtypes the dataset uses, so numpy reads
 * our files with `np.load` and our tests read them back without Python.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export type NpyDtype = 'u1' | 'f4' | 'i4' | 'i8';
const DESCR: Record<NpyDtype, string> = { u1: '|u1', f4: '<f4', i4: '<i4', i8: '<i8' };
const BYTES: Record<NpyDtype, number> = { u1: 1, f4: 4, i4: 4, i8: 8 };

export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // magic(6) + version(2) + len(2) + dict + '\n' must be a multiple of 64
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - 10 - 1, ' ') + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1')]);
}

export function writeNpy(path: string, dtype: NpyDtype, shape: readonly number[], data: ArrayBufferView): void {
  const expected = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
  if (data.byteLength !== expected) throw new RangeError(`${path}: ${data.byteLength} bytes for shape [${shape}] ${dtype}, expected ${expected}`);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, npyHeader(dtype, shape));
    writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    closeSync(fd);
  }
}

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Uint8Array | Float32Array | Int32Array | BigInt64Array;
}

export function readNpy(path: string): NpyArray {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not an .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: fortran order is not supported`);
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((k) => DESCR[k] === descr);
  if (!dtype) throw new Error(`${path}: unsupported dtype ${descr}`);
  const off = hstart + hlen;
  const body = buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + buf.length);
  const data =
    dtype === 'u1' ? new Uint8Array(body) :
    dtype === 'f4' ? new Float32Array(body) :
    dtype === 'i4' ? new Int32Array(body) : new BigInt64Array(body);
  return { dtype, shape, data };
}
