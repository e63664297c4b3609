/**
 * iALS epochs in WebAssembly SIMD on every core: the factors, both sides' sparse rows and the
 * Gramians live in one shared WebAssembly memory; the users' half-step is split over the threads
 * (contiguous row ranges of about equal work), then the Gramian XᵀX (row tiles split), then the
 * items' half-step, then YᵀY. Each row's update reads only the other side's factors and Gramian,
 * so a row gives the same result on whichever thread runs it: the factors do not depend on the
 * number of threads. Float32 throughout (the scalar path in kernels.ts works in float64 scratch),
 * which test/models/als-simd.test.ts checks against the scalar reference.
 */
import { AnirecError } from '../../errors/errors.js';
import { env } from '../../env/env.js';
import { WASM_BASE64 } from '../wasm/als-cg.wasm.js';
import { AlsPool, type KernelCall, type TaskPlan } from './pool.js';

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Factor rows per Gramian chunk: with k = 128 a chunk is 128 KiB, which stays in L2 across the tiles. */
const SYRK_CHUNK = 256;
const GIB = 1024 ** 3;

const CG_USERS = 0;
const GRAM_X = 1;
const CG_ITEMS = 2;
const GRAM_Y = 3;
const LOSS = 4;

/** The project's type declarations give WebAssembly.Memory no descriptor, so name the real one. */
const SharedMemory = WebAssembly.Memory as unknown as new (descriptor: {
  initial: number;
  maximum: number;
  shared: boolean;
}) => WebAssembly.Memory;

let kernelModule: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD cannot run or ANIREC_WASM=0 asks for the scalar path. */
export function alsSimdModule(): WebAssembly.Module | null {
  if (!env.wasm) return null;
  if (kernelModule === undefined) {
    const bytes = Buffer.from(WASM_BASE64, 'base64');
    kernelModule = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return kernelModule;
}

/** One side's sparse rows: row pointers, other-side indices, entry weights, λ per row. */
export interface SideRows {
  indptr: Int32Array;
  indices: Int32Array;
  conf: Float32Array;
  lambda: Float64Array;
}

export interface AlsSimdInput {
  k: number;
  nUsers: number;
  nItems: number;
  users: SideRows;
  items: SideRows;
  alpha0: number;
  cgSteps: number;
  threads: number;
}

/**
 * Contiguous row ranges, one per thread, of about equal work: a CG step costs ~k² per row
 * plus ~2k per entry, whatever the row's length.
 */
export function partitionRows(indptr: Int32Array, k: number, T: number): number[] {
  const rows = indptr.length - 1;
  const cost = (r: number): number => r * k + 2 * indptr[r]!;
  const total = cost(rows);
  const bounds = [0];
  let r = 0;
  for (let w = 1; w < T; w++) {
    const target = (total * w) / T;
    while (r < rows && cost(r) < target) r++;
    // The nearer of the two boundaries around the target, never before the previous one.
    const cut = r > bounds[w - 1]! && target - cost(r - 1) < cost(r) - target ? r - 1 : r;
    bounds.push(cut);
    r = cut;
  }
  bounds.push(rows);
  return bounds;
}

export class AlsSimd {
  /** Views into the kernel's memory: the factors with kp floats per row, the two Gramians. */
  readonly X: Float32Array;
  readonly Y: Float32Array;
  private readonly gramX: Float32Array;
  private readonly gramY: Float32Array;
  private readonly pool: AlsPool;

  private constructor(
    readonly k: number,
    readonly kp: number,
    memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    offsets: { x: number; y: number; gx: number; gy: number },
    input: AlsSimdInput,
    plan: TaskPlan,
    private readonly alpha0: number,
  ) {
    const { nUsers, nItems } = input;
    this.X = new Float32Array(memory.buffer, offsets.x, nUsers * kp);
    this.Y = new Float32Array(memory.buffer, offsets.y, nItems * kp);
    this.gramX = new Float32Array(memory.buffer, offsets.gx, kp * kp);
    this.gramY = new Float32Array(memory.buffer, offsets.gy, kp * kp);
    this.pool = new AlsPool(module, memory, plan, input.threads);
  }

  /** Lays the problem out in a new shared memory and starts the threads; null without the kernel. */
  static create(input: AlsSimdInput): AlsSimd | null {
    const module = alsSimdModule();
    if (module === null) return null;
    const { k, nUsers, nItems, users, items, threads: T } = input;
    const kp = Math.ceil(k / 8) * 8;
    const rowBytes = kp * 4;
    let end = 0;
    const take = (bytes: number): number => {
      const at = end;
      end += Math.ceil(bytes / 16) * 16;
      return at;
    };
    const x = take(nUsers * rowBytes);
    const y = take(nItems * rowBytes);
    const gx = take(kp * rowBytes);
    const gy = take(kp * rowBytes);
    const side = (s: SideRows, rows: number) => ({
      indptr: take((rows + 1) * 4),
      idx: take(s.indices.length * 4),
      conf: take(s.conf.length * 4),
      lambda: take(rows * 4),
    });
    const u = side(users, nUsers);
    const it = side(items, nItems);
    const scratch = Array.from({ length: T }, () => take(3 * rowBytes));
    const pages = Math.ceil(end / PAGE);
    if (pages > MAX_PAGES) {
      throw new AnirecError(
        'invalid_config',
        `iALS: ${nUsers} users × ${nItems} titles × ${k} factors with ${users.indices.length} entries need ${(end / GIB).toFixed(2)} GiB of WebAssembly memory, more than its 4 GiB limit; use fewer factors`,
      );
    }
    let memory: WebAssembly.Memory;
    try {
      memory = new SharedMemory({ initial: pages, maximum: pages, shared: true });
    } catch (error) {
      throw new AnirecError(
        'invalid_config',
        `iALS: could not allocate ${(end / GIB).toFixed(2)} GiB for training: ${(error as Error).message}`,
      );
    }
    const buffer = memory.buffer;
    for (const [s, o, rows] of [
      [users, u, nUsers],
      [items, it, nItems],
    ] as const) {
      new Int32Array(buffer, o.indptr, rows + 1).set(s.indptr);
      new Int32Array(buffer, o.idx, s.indices.length).set(s.indices);
      new Float32Array(buffer, o.conf, s.conf.length).set(s.conf);
      new Float32Array(buffer, o.lambda, rows).set(s.lambda);
    }

    const steps = Math.max(0, Math.floor(input.cgSteps));
    const userBounds = partitionRows(users.indptr, k, T);
    const itemBounds = partitionRows(items.indptr, k, T);
    const cg = (bounds: number[], w: number, target: number, other: number, g: number, o: typeof u): KernelCall => [
      'cgRows',
      bounds[w]!,
      bounds[w + 1]!,
      kp,
      steps,
      input.alpha0,
      target,
      other,
      g,
      o.indptr,
      o.idx,
      o.conf,
      o.lambda,
      scratch[w]!,
    ];
    const syrk = (f: number, rows: number, g: number, w: number): KernelCall => ['syrk', f, rows, kp, g, w, T, SYRK_CHUNK];
    const plan: TaskPlan = [];
    plan[CG_USERS] = scratch.map((_, w) => [cg(userBounds, w, x, y, gy, u)]);
    plan[GRAM_X] = scratch.map((_, w) => [syrk(x, nUsers, gx, w)]);
    plan[CG_ITEMS] = scratch.map((_, w) => [cg(itemBounds, w, y, x, gx, it)]);
    plan[GRAM_Y] = scratch.map((_, w) => [syrk(y, nItems, gy, w)]);
    plan[LOSS] = scratch.map((_, w) => [
      ['rowsLoss', userBounds[w]!, userBounds[w + 1]!, kp, x, y, u.indptr, u.idx, u.conf, u.lambda, 1],
      ['rowsLoss', itemBounds[w]!, itemBounds[w + 1]!, kp, y, x, it.indptr, it.idx, it.conf, it.lambda, 0],
    ]);
    return new AlsSimd(k, kp, memory, module, { x, y, gx, gy }, input, plan, input.alpha0);
  }

  /** Copies row-major factors with k per row into the kernel's kp-wide rows (padding zero). */
  load(X: Float32Array, Y: Float32Array): void {
    copyRows(X, this.k, this.X, this.kp);
    copyRows(Y, this.k, this.Y, this.kp);
    this.gramian(GRAM_Y, this.gramY);
  }

  /** Copies the factors back out, k per row. */
  store(X: Float32Array, Y: Float32Array): void {
    copyRows(this.X, this.kp, X, this.k);
    copyRows(this.Y, this.kp, Y, this.k);
  }

  /** One epoch: every user's CG update against YᵀY, XᵀX, every item's against XᵀX, YᵀY. */
  epoch(): void {
    this.pool.run(CG_USERS);
    this.gramian(GRAM_X, this.gramX);
    this.pool.run(CG_ITEMS);
    this.gramian(GRAM_Y, this.gramY);
  }

  /** The full objective (as kernels.ts alsLoss): Σ_obs c(1 − ŷ)² + α0·Σ G_X ∘ G_Y + Σ λ‖row‖². */
  loss(): number {
    const { gramX, gramY } = this;
    let all = 0;
    for (let i = 0; i < gramX.length; i++) all += gramX[i]! * gramY[i]!;
    return this.pool.run(LOSS) + this.alpha0 * all;
  }

  close(): void {
    this.pool.close();
  }

  /** The kernel fills each row tile from the diagonal's 8-block on; mirror the upper triangle. */
  private gramian(task: number, gram: Float32Array): void {
    const kp = this.kp;
    gram.fill(0);
    this.pool.run(task);
    for (let a = 0; a < kp; a++) for (let b = a + 1; b < kp; b++) gram[b * kp + a] = gram[a * kp + b]!;
  }
}

function copyRows(from: Float32Array, fromWidth: number, to: Float32Array, toWidth: number): void {
  const rows = from.length / fromWidth;
  const width = Math.min(fromWidth, toWidth);
  if (fromWidth === toWidth) {
    to.set(from.subarray(0, rows * width));
    return;
  }
  for (let r = 0; r < rows; r++) to.set(from.subarray(r * fromWidth, r * fromWidth + width), r * toWidth);
}
