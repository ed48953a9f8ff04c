import { pssMb, rssMb } from '../../../bench/load.js';
import { processTree } from '../../support/processes.js';

/**
 * The memory of the api and the worker: each process's RSS, and the PSS of the worker's whole tree (node and its
 * Chromium), shared pages split between sharers. The worker is whichever runs at the time (it is killed and
 * replaced mid-soak), so each sample names its pid.
 */

export interface MemorySample {
  apiRssMb: number;
  workerPid: number;
  workerRssMb: number;
  workerTreePssMb: number;
  workerTreeProcesses: number;
}

/**
 * Flat: the median of the last third of a process's samples is at most FLAT_GROWTH above the median of the
 * first third (so the warm-up in the first third is not counted as growth, and one spike decides nothing).
 * Fewer than MIN_SAMPLES samples decide nothing either.
 */
export const FLAT_GROWTH = 0.1;
const MIN_SAMPLES = 6;

export interface Flatness {
  samples: number;
  firstThirdMedianMb: number;
  lastThirdMedianMb: number;
  growth: number;
  /** Null when there were too few samples to judge. */
  flat: boolean | null;
}

export function flatness(values: number[]): Flatness {
  const third = Math.floor(values.length / 3);
  const median = (part: number[]) => {
    const sorted = [...part].sort((a, b) => a - b);
    const middle = sorted.length / 2;
    if (sorted.length === 0) return 0;
    return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const first = median(values.slice(0, third));
  const last = median(values.slice(values.length - third));
  const growth = first > 0 ? last / first - 1 : 0;
  return {
    samples: values.length,
    firstThirdMedianMb: Math.round(first),
    lastThirdMedianMb: Math.round(last),
    growth: Math.round(growth * 1000) / 1000,
    flat: values.length < MIN_SAMPLES ? null : growth <= FLAT_GROWTH,
  };
}

/** The memory of the api and of the worker running now (throws when one is gone). */
export function memoryNow(apiPid: number, workerPid: number): MemorySample {
  const tree = processTree(workerPid);
  return {
    apiRssMb: Math.round(rssMb(apiPid)),
    workerPid,
    workerRssMb: Math.round(rssMb(workerPid)),
    workerTreePssMb: Math.round(pssMb(tree)),
    workerTreeProcesses: tree.length,
  };
}
