/**
 * The performance goals (docs/performance.md) as the bench reports them: each figure with its
 * goal, target and whether it was met, as a table for people and as one JSON line each
 * (`npm run bench -- --json`) for tracking from run to run.
 */

export interface Goal {
  /** The goal's letter in docs/performance.md ("a"…"e"), or "sign-in" for the sign-in comparison. */
  goal: string;
  /** Stable name of the figure within its goal. */
  figure: string;
  label: string;
  value: number;
  /** The target; null when the goal is a condition stated in `label` (met says whether it held). */
  target: number | null;
  /** How the value must compare with the target. */
  op?: '≥' | '<' | '≤';
  unit: string;
  met: boolean;
}

/** The figure rounded for people: three significant digits, at most three decimals. */
function shown(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

export function goalTable(goals: Goal[]): string {
  const lines = ['Goals:'];
  for (const g of goals) {
    const target = g.target === null ? '' : ` (goal ${g.op ?? '≥'} ${shown(g.target)})`;
    lines.push(`  (${g.goal}) ${g.label}: ${shown(g.value)} ${g.unit}${target} — ${g.met ? 'met' : 'NOT met'}`);
  }
  return lines.join('\n');
}

export function goalLines(goals: Goal[]): string[] {
  return goals.map((g) => JSON.stringify({ goal: g.goal, figure: g.figure, value: Number(shown(g.value)), target: g.target, unit: g.unit, met: g.met, label: g.label }));
}
