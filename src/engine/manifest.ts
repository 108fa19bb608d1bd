/**
 * The model manifest (models/<id>/manifest.json, built by models/export/export.py, written by shipped.py): the one
 * description of every shipped file and tensor. Parsed with zod so a malformed manifest fails with
 * a message that names the field, before any model file is fetched.
 */
import { z } from '../lib/zod';

const dim = z.union([z.number().int().positive(), z.string()]);
const tensorSpec = z.object({
  name: z.string(),
  dtype: z.enum(['float32', 'int32']),
  shape: z.array(dim),
  meaning: z.string(),
});
const onnxFile = z.object({
  path: z.string().regex(/^[\w.-]+\.onnx$/, 'a file name in the model folder'),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  inputs: z.array(tensorSpec),
  outputs: z.array(tensorSpec),
  ops: z.array(z.string()),
  /** multiply-add FLOPs of one run (Conv, MatMul, Gemm); 0 when shapes are dynamic */
  flops: z.number().int().min(0).optional(),
});
/** A graph that stands in for another on one backend (same tensors and loop), e.g. an int8 student for WASM. */
const variantFile = onnxFile.extend({ backend: z.enum(['wasm', 'webgpu']), meaning: z.string() });
const dataFile = z.object({
  path: z.string(),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  meaning: z.string(),
});
const sampling = z.object({ temperature: z.number().min(0), top_k: z.number().int().min(0), seed: z.number().int() });
const memoryRule = z.object({
  slots: z.number().int().positive(),
  coverage_grid: z.number().int().positive(),
  overlap_bonus: z.number().min(0),
  distance_scale_m: z.number().positive(),
  min_gain: z.number().min(0),
  max_candidates: z.number().int().positive(),
  rule: z.enum(['coverage', 'recent']),
  capacity: z.number().int().positive(),
});
const geometry = z.object({
  vertical_fov_deg: z.number().positive().max(179),
  proxy: z.object({ floor_y: z.number(), wall_half_extent: z.number().positive(), wall_top: z.number().positive() }),
});

const atlasRule = z.object({
  cell_m: z.number().positive(),
  radius_m: z.number().positive(),
  heading_m_per_rad: z.number().min(0),
  candidates: z.number().int().positive(),
});
/** Long-term memory of the learned world: training frames' tokens and poses (models/world_model/atlas.py). */
const atlasSpec = z.object({
  path: z.string().regex(/^[\w.-]+\.bin$/, 'a .bin file name in the model folder'),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  frames: z.number().int().positive(),
  grid: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  token_bits: z.literal(12),
  world_seed: z.number().int().min(0),
  retrieval: atlasRule,
  format: z.string(),
  chosen: z.string(),
});

export const manifestSchema = z.object({
  format: z.literal('world-model-playground manifest v2', {
    error: (i) => `must be 'world-model-playground manifest v2' (this app reads v2 manifests), got ${JSON.stringify(i.input)}`,
  }),
  id: z.string(),
  opset: z.number().int().min(17),
  files: z.object({
    encoder: onnxFile,
    decoder: onnxFile,
    student: onnxFile,
    teacher_prev: onnxFile,
    teacher_step: onnxFile,
    /** the student for the WASM backend (int8 matrix products; com.microsoft ops WebGPU lacks) */
    student_int8: variantFile.optional(),
    golden_json: dataFile.optional(),
    golden_bin: dataFile.optional(),
  }),
  frame: z.object({ height: z.number().int().positive(), width: z.number().int().positive(), channels: z.literal(3) }),
  tokens: z.object({
    grid: z.tuple([z.number().int().positive(), z.number().int().positive()]),
    vocab_size: z.number().int().positive(),
    fsq_levels: z.array(z.number().int().min(2)).min(1),
  }),
  action: z.object({
    contract_version: z.number().int(),
    keys: z.array(z.string()).length(5),
    max: z.array(z.number().positive()).length(5),
  }),
  /** the world seed the model was trained on */
  world: z.object({ seed: z.number().int().min(0) }),
  student: z.object({
    kind: z.literal('memory'),
    slots: z.number().int().positive(),
    level_pred: z.number().min(0).max(1),
    memory: memoryRule,
    geometry,
    sampling_defaults: sampling,
    /** a noise sampler inside files.student (models/world_model/noise_sampler.py), switched on by its shared_noise input */
    noise_sampler: z
      .object({ input: z.literal('shared_noise'), meaning: z.string() })
      .passthrough()
      .optional(),
  }),
  teacher: z.object({
    kind: z.literal('memory', {
      error: (i) => `teacher.kind must be 'memory' (a teacher that reads the student's memory slots), got ${JSON.stringify(i.input)}`,
    }),
    tokens_per_frame: z.number().int().positive(),
    kv_shape: z.array(z.number().int().positive()),
    sampling_defaults: sampling,
  }),
  metrics: z.record(z.string(), z.unknown()),
  atlas: atlasSpec.optional(),
  /** the model card's sources: what it is, what it cannot do, where its data and compute came from */
  description: z.string().optional(),
  limitations: z.array(z.string()).optional(),
  training_data: z.record(z.string(), z.unknown()).optional(),
  compute: z.record(z.string(), z.unknown()).optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
/** The model the app ships and loads (models/<id>/). */
export const MODEL_ID = 'wm-courtyard-v3';
export type AtlasSpec = z.infer<typeof atlasSpec>;
export type ModelFileKey = 'encoder' | 'decoder' | 'student' | 'teacher_prev' | 'teacher_step';
export const MODEL_FILES: readonly ModelFileKey[] = ['encoder', 'decoder', 'student', 'teacher_prev', 'teacher_step'];
/** Files that may stand in for one of MODEL_FILES on a backend. */
export type VariantKey = 'student_int8';
export const VARIANT_FILES: readonly VariantKey[] = ['student_int8'];
/** The graphs a manifest names: every MODEL_FILES key and the variants it has. */
export const graphKeys = (m: Manifest): (ModelFileKey | VariantKey)[] => [...MODEL_FILES, ...VARIANT_FILES.filter((k) => m.files[k])];

export class ManifestError extends Error {
  override name = 'ManifestError';
  /** every problem found, one sentence each (the message names the first) */
  readonly problems: string[];
  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.problems = problems;
  }
  static of(source: string, problems: string[]): ManifestError {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    return new ManifestError(
      `${source}: ${problems[0]}${more}`,
      problems.map((p) => `${source}: ${p}`),
    );
  }
}

/** Every problem with a manifest, in words that name the field; empty when it is valid. */
export const manifestProblems = (json: unknown): string[] => checkManifest(json).problems;

/** One parse: the manifest when it is valid, and every problem found. */
function checkManifest(json: unknown): { manifest: Manifest | null; problems: string[] } {
  const r = manifestSchema.safeParse(json);
  if (!r.success) return { manifest: null, problems: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  const m = r.data;
  const out: string[] = [];
  const [gh, gw] = m.tokens.grid;
  const vocab = m.tokens.fsq_levels.reduce((a, b) => a * b, 1);
  if (vocab !== m.tokens.vocab_size) out.push(`tokens.fsq_levels multiply to ${vocab}, not tokens.vocab_size ${m.tokens.vocab_size}`);
  const M = m.student.slots;
  const mem = m.files.student.inputs.find((t) => t.name === 'mem_tokens');
  if (!mem || mem.shape.join() !== [1, M, gh, gw].join()) out.push(`files.student: input 'mem_tokens' must be [1, ${M}, ${gh}, ${gw}]`);
  if (m.student.memory.slots !== M) out.push(`student.memory.slots ${m.student.memory.slots} != student.slots ${M}`);
  const v = m.files.student_int8;
  const sig = (ts: { name: string; dtype: string; shape: unknown[] }[]) =>
    ts.map((t) => `${t.name}:${t.dtype}[${t.shape.join()}]`).join(' ');
  // the student's own outputs (the fused decoder's frame and frame_tokens are the float graph's only)
  const studentOut = m.files.student.outputs.filter((t) => t.name !== 'frame' && t.name !== 'frame_tokens');
  if (v && (sig(v.inputs) !== sig(m.files.student.inputs) || sig(v.outputs) !== sig(studentOut))) {
    out.push(`files.student_int8 must have files.student's inputs and its outputs but the decoder's (it stands in for it)`);
  }
  const a = m.atlas;
  if (a) {
    if (a.grid.join() !== m.tokens.grid.join()) out.push(`atlas.grid [${a.grid.join()}] != tokens.grid [${m.tokens.grid.join()}]`);
    const want = (a.frames * gh * gw * 3) / 2 + a.frames * 20;
    if (a.bytes !== want) out.push(`atlas.bytes ${a.bytes} != ${want} (${a.frames} frames of 12-bit tokens and float32 poses)`);
    if (!studentTakesSource(m)) out.push(`atlas: files.student has no 'mem_source' input to mark atlas slots`);
  }
  const noise = m.files.student.inputs.find((t) => t.name === 'shared_noise');
  if (m.student.noise_sampler && !noise) out.push(`student.noise_sampler: files.student has no 'shared_noise' input to switch it on`);
  if (noise && (noise.dtype !== 'float32' || noise.shape.join() !== '1'))
    out.push(`files.student: input 'shared_noise' must be float32 [1]`);
  const paths = [...MODEL_FILES.map((k) => m.files[k].path), ...(v ? [v.path] : [])];
  const dup = paths.filter((p, i) => paths.indexOf(p) !== i);
  if (dup.length) out.push(`files: ${[...new Set(dup)].join(', ')} named for more than one graph`);
  return { manifest: out.length ? null : m, problems: out };
}

/** Parses and cross-checks a manifest; throws ManifestError naming every problem. */
export function parseManifest(json: unknown, source = 'manifest.json'): Manifest {
  const { manifest, problems } = checkManifest(json);
  if (!manifest) throw ManifestError.of(source, problems);
  return manifest;
}

/** The student is told which slots are atlas frames (world model v3). */
export const studentTakesSource = (m: Manifest) => m.files.student.inputs.some((t) => t.name === 'mem_source');

/** The student ships a noise sampler (models/world_model/noise_sampler.py): its shared_noise input switches it on. */
export const studentHasSampler = (m: Manifest) => m.files.student.inputs.some((t) => t.name === 'shared_noise');

/** teacher_prev reads mem_source too (a v3 teacher: told which slots are atlas frames). */
export const teacherTakesSource = (m: Manifest) => m.files.teacher_prev.inputs.some((t) => t.name === 'mem_source');

/** The teacher has the copy path: teacher_prev gives copy_ids and copyable, and teacher_step takes a column of each. */
export const teacherCopies = (m: Manifest) => m.files.teacher_step.inputs.some((t) => t.name === 'copy_ids');

/** files.student holds the decoder (models/export/fuse.py): one run predicts and decodes a frame. */
export const studentDecodes = (m: Manifest) => m.files.student.outputs.some((t) => t.name === 'frame_tokens');

export const tokensPerFrame = (m: Manifest) => m.tokens.grid[0] * m.tokens.grid[1];
