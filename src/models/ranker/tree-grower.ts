/**
 * Best-first (leaf-wise) growth of one regression tree on binned features from per-row
 * gradients and hessians, with Newton leaf values −G/(H+λ).
 *
 * Each leaf owns a contiguous range of the run's row-index array, partitioned in place (and
 * stably, so rows stay in memory order for the histogram pass). Only the smaller child of a
 * split gets its histogram built from rows; the larger one is parent − smaller, reusing the
 * parent's buffer. Every buffer is allocated once per grower, none per row or per split. The
 * rows, gradients and histograms live in the run's shared memory (threads.ts), where worker
 * threads build each histogram's share of features and partition a large leaf's chunks.
 */
import type { BinnedFeatures } from './binning.js';
import { emptySplit, findBestSplit, type NodeTotals, type SplitCandidate, type SplitConstraints } from './histogram.js';
import type { RankerThreads } from './threads.js';

/** One tree as flat arrays; node 0 is the root, a node with feature −1 is a leaf. */
export interface TreeArrays {
  feature: Int32Array;
  /** Rows whose value is ≤ threshold go left; NaN follows defaultLeft. */
  threshold: Float32Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output, already multiplied by the learning rate (0 on internal nodes). */
  value: Float64Array;
  /** Loss reduction of the split (0 on leaves), for feature importance. */
  gain: Float64Array;
}

/** A grown tree also keeps its split bins, to route binned rows (e.g. out-of-bag) without floats. */
export interface GrownTree extends TreeArrays {
  splitBin: Int32Array;
  nLeaves: number;
}

export interface GrowerParams extends SplitConstraints {
  maxLeaves: number;
  maxDepth: number;
  learningRate: number;
}

export class TreeGrower {
  private readonly maxNodes: number;
  private readonly nodeFeature: Int32Array;
  private readonly nodeBin: Int32Array;
  private readonly nodeThreshold: Float32Array;
  private readonly nodeDefaultLeft: Uint8Array;
  private readonly nodeLeft: Int32Array;
  private readonly nodeRight: Int32Array;
  private readonly nodeValue: Float64Array;
  private readonly nodeGain: Float64Array;
  private nNodes = 0;

  private readonly leafNode: Int32Array;
  private readonly leafStart: Int32Array;
  private readonly leafEnd: Int32Array;
  private readonly leafDepth: Int32Array;
  private readonly leafGrad: Float64Array;
  private readonly leafHess: Float64Array;
  /** Slot in the shared histogram pool, or −1 once the leaf can no longer split. */
  private readonly leafHistogram: Int32Array;
  private readonly leafSplit: SplitCandidate[];
  private nLeaves = 0;

  /** Histogram slots handed out so far (the pool grows lazily: shallow trees never need maxLeaves of them). */
  private nHistograms = 0;
  private readonly freeHistograms: number[] = [];
  private readonly rowIndices: Int32Array;

  constructor(
    private readonly binned: BinnedFeatures,
    private readonly params: GrowerParams,
    private readonly threads: RankerThreads,
  ) {
    const { maxLeaves } = params;
    this.maxNodes = 2 * maxLeaves - 1;
    this.nodeFeature = new Int32Array(this.maxNodes);
    this.nodeBin = new Int32Array(this.maxNodes);
    this.nodeThreshold = new Float32Array(this.maxNodes);
    this.nodeDefaultLeft = new Uint8Array(this.maxNodes);
    this.nodeLeft = new Int32Array(this.maxNodes);
    this.nodeRight = new Int32Array(this.maxNodes);
    this.nodeValue = new Float64Array(this.maxNodes);
    this.nodeGain = new Float64Array(this.maxNodes);
    this.leafNode = new Int32Array(maxLeaves);
    this.leafStart = new Int32Array(maxLeaves);
    this.leafEnd = new Int32Array(maxLeaves);
    this.leafDepth = new Int32Array(maxLeaves);
    this.leafGrad = new Float64Array(maxLeaves);
    this.leafHess = new Float64Array(maxLeaves);
    this.leafHistogram = new Int32Array(maxLeaves);
    this.leafSplit = Array.from({ length: maxLeaves }, emptySplit);
    this.rowIndices = threads.rows;
  }

  /**
   * Grows a tree on the rows threads.rows[0..nRows) with the gradients in threads.grad and
   * threads.hess (the rows are reordered in place: afterwards each leaf's rows are contiguous,
   * see addLeafValues). Only activeFeatures may be split on.
   */
  grow(nRows: number, activeFeatures: Int32Array): GrownTree {
    const { rowIndices } = this;
    const { grad, hess } = this.threads;
    this.threads.setActive(activeFeatures);
    this.freeHistograms.length = 0;
    for (let i = this.nHistograms - 1; i >= 0; i--) this.freeHistograms.push(i);

    let rootGrad = 0;
    let rootHess = 0;
    for (let i = 0; i < nRows; i++) {
      rootGrad += grad[rowIndices[i]!]!;
      rootHess += hess[rowIndices[i]!]!;
    }
    this.nNodes = 1;
    this.nLeaves = 1;
    this.resetNode(0);
    this.initLeaf(0, 0, 0, nRows, 0, rootGrad, rootHess);
    if (this.canSplit(0)) {
      const hist = this.takeHistogram();
      this.threads.buildHistogram(hist, 0, nRows);
      this.leafHistogram[0] = hist;
      this.evaluateLeaf(0, activeFeatures);
    }

    while (this.nLeaves < this.params.maxLeaves) {
      let bestLeaf = -1;
      for (let leaf = 0; leaf < this.nLeaves; leaf++) {
        const split = this.leafSplit[leaf]!;
        if (split.feature >= 0 && (bestLeaf < 0 || split.gain > this.leafSplit[bestLeaf]!.gain)) bestLeaf = leaf;
      }
      if (bestLeaf < 0) break;
      this.splitLeaf(bestLeaf, activeFeatures);
    }

    const { lambdaL2, learningRate } = this.params;
    for (let leaf = 0; leaf < this.nLeaves; leaf++) {
      const denominator = this.leafHess[leaf]! + lambdaL2;
      this.nodeValue[this.leafNode[leaf]!] = denominator > 0 ? (-learningRate * this.leafGrad[leaf]!) / denominator : 0;
    }
    const n = this.nNodes;
    return {
      feature: this.nodeFeature.slice(0, n),
      threshold: this.nodeThreshold.slice(0, n),
      defaultLeft: this.nodeDefaultLeft.slice(0, n),
      left: this.nodeLeft.slice(0, n),
      right: this.nodeRight.slice(0, n),
      value: this.nodeValue.slice(0, n),
      gain: this.nodeGain.slice(0, n),
      splitBin: this.nodeBin.slice(0, n),
      nLeaves: this.nLeaves,
    };
  }

  /** Adds each leaf's value to the scores of the rows that landed in it during the last grow(). */
  addLeafValues(scores: Float64Array): void {
    for (let leaf = 0; leaf < this.nLeaves; leaf++) {
      const value = this.nodeValue[this.leafNode[leaf]!]!;
      for (let i = this.leafStart[leaf]!, end = this.leafEnd[leaf]!; i < end; i++) scores[this.rowIndices[i]!]! += value;
    }
  }

  private resetNode(node: number): void {
    this.nodeFeature[node] = -1;
    this.nodeBin[node] = 0;
    this.nodeThreshold[node] = 0;
    this.nodeDefaultLeft[node] = 0;
    this.nodeLeft[node] = -1;
    this.nodeRight[node] = -1;
    this.nodeValue[node] = 0;
    this.nodeGain[node] = 0;
  }

  private initLeaf(leaf: number, node: number, start: number, end: number, depth: number, grad: number, hess: number): void {
    this.leafNode[leaf] = node;
    this.leafStart[leaf] = start;
    this.leafEnd[leaf] = end;
    this.leafDepth[leaf] = depth;
    this.leafGrad[leaf] = grad;
    this.leafHess[leaf] = hess;
    this.leafHistogram[leaf] = -1;
    const split = this.leafSplit[leaf]!;
    split.feature = -1;
    split.gain = -Infinity;
  }

  private canSplit(leaf: number): boolean {
    const { maxDepth, minDataInLeaf, minSumHessianInLeaf } = this.params;
    return (
      this.leafDepth[leaf]! < maxDepth &&
      this.leafEnd[leaf]! - this.leafStart[leaf]! >= 2 * minDataInLeaf &&
      this.leafHess[leaf]! >= 2 * minSumHessianInLeaf
    );
  }

  private takeHistogram(): number {
    const free = this.freeHistograms.pop();
    if (free !== undefined) return free;
    return this.nHistograms++;
  }

  private releaseHistogram(leaf: number): void {
    const hist = this.leafHistogram[leaf]!;
    if (hist >= 0) this.freeHistograms.push(hist);
    this.leafHistogram[leaf] = -1;
  }

  private evaluateLeaf(leaf: number, activeFeatures: Int32Array): void {
    const totals: NodeTotals = {
      grad: this.leafGrad[leaf]!,
      hess: this.leafHess[leaf]!,
      count: this.leafEnd[leaf]! - this.leafStart[leaf]!,
    };
    const found = findBestSplit(
      this.threads.histogram(this.leafHistogram[leaf]!),
      this.binned,
      activeFeatures,
      totals,
      this.params,
      this.leafSplit[leaf]!,
    );
    // A leaf without a valid split keeps no histogram: the buffer is free for others.
    if (!found) this.releaseHistogram(leaf);
  }

  private splitLeaf(leaf: number, activeFeatures: Int32Array): void {
    const split = this.leafSplit[leaf]!;
    const node = this.leafNode[leaf]!;
    const leftNode = this.nNodes++;
    const rightNode = this.nNodes++;
    this.resetNode(leftNode);
    this.resetNode(rightNode);
    this.nodeFeature[node] = split.feature;
    this.nodeBin[node] = split.bin;
    this.nodeThreshold[node] = this.binned.upperBounds[split.feature]![split.bin - 1]!;
    this.nodeDefaultLeft[node] = split.defaultLeft ? 1 : 0;
    this.nodeLeft[node] = leftNode;
    this.nodeRight[node] = rightNode;
    this.nodeGain[node] = split.gain;

    const start = this.leafStart[leaf]!;
    const end = this.leafEnd[leaf]!;
    const middle = this.threads.partition(start, end, split.feature, split.bin, split.defaultLeft);
    const depth = this.leafDepth[leaf]! + 1;
    const parentGrad = this.leafGrad[leaf]!;
    const parentHess = this.leafHess[leaf]!;
    const parentHistogram = this.leafHistogram[leaf]!;
    const rightLeaf = this.nLeaves++;
    this.initLeaf(leaf, leftNode, start, middle, depth, split.leftGrad, split.leftHess);
    this.initLeaf(rightLeaf, rightNode, middle, end, depth, parentGrad - split.leftGrad, parentHess - split.leftHess);

    const leftSplittable = this.canSplit(leaf);
    const rightSplittable = this.canSplit(rightLeaf);
    if (!leftSplittable && !rightSplittable) {
      this.freeHistograms.push(parentHistogram);
      return;
    }
    const leftIsSmaller = middle - start <= end - middle;
    const smallLeaf = leftIsSmaller ? leaf : rightLeaf;
    const largeLeaf = leftIsSmaller ? rightLeaf : leaf;
    const smallHistogram = this.takeHistogram();
    this.threads.buildHistogram(smallHistogram, this.leafStart[smallLeaf]!, this.leafEnd[smallLeaf]!, parentHistogram);
    this.leafHistogram[smallLeaf] = smallHistogram;
    this.leafHistogram[largeLeaf] = parentHistogram;
    for (const child of [smallLeaf, largeLeaf]) {
      if (this.canSplit(child)) this.evaluateLeaf(child, activeFeatures);
      else this.releaseHistogram(child);
    }
  }
}
