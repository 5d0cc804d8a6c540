/** One benchmark figure with the baseline measured side by side in the same run (the machine is noisy). */
export interface BenchResult {
  name: string;
  figure: number;
  unit: string;
  /** The baseline measured in the same run (a naive design, a bare workflow, a reference implementation). */
  baseline?: number;
  baselineName?: string;
  /** figure / baseline (or the reverse where lower is better; say so in notes). */
  ratio?: number;
  /** The target the issue sets, e.g. ">= 100 payments per ledger". */
  target?: string;
  notes?: string;
}
