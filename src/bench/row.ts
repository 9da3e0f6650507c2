/** One row of the bench's table: a workload on a runner. */
export interface BenchRow {
  /** 'W1', 'W2', or 'book overfit' etc. */
  workload: string;
  runner: string;
  /** Seconds per epoch (a book row: per run of its iterations): median, min, max over the counted ones. */
  median: number;
  min: number;
  max: number;
  runs: number;
  /** GFLOP/s of the work counted densely; NaN where not counted (the book rows). */
  gflops: number;
  /** median / numpy's median (null without numpy). */
  vsNumpy: number | null;
  testAcc: number | null;
}
