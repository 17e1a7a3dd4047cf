/**
 * Progress bars for the CLI's long work (migrations, re-encryption, audit export and verify, demo
 * seed). A bar goes to stderr and only when stderr is a terminal, so stdout — and above all
 * `--json` output — stays exactly what scripts parse. `PALISADE_PROGRESS=1` forces the bar
 * (a terminal multiplexer or CI log that wants it), `PALISADE_PROGRESS=0` turns it off.
 */
import { SingleBar } from 'cli-progress';

/** How a long operation reports: `done` of `total` units so far (called often; cheap). */
export type ProgressReporter = (done: number, total: number) => void;

export interface ProgressBar {
  report: ProgressReporter;
  stop(): void;
}

const silent: ProgressBar = { report: () => undefined, stop: () => undefined };

export function progressWanted(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean } = process.stderr): boolean {
  if (env.PALISADE_PROGRESS === '0' || env.PALISADE_PROGRESS === 'false') return false;
  if (env.PALISADE_PROGRESS === '1' || env.PALISADE_PROGRESS === 'true') return true;
  return stream.isTTY === true;
}

/**
 * A bar labelled `label` on stderr, or a no-op when progress is not wanted (stderr not a terminal,
 * `--json`, or PALISADE_PROGRESS=0). `unit` names what is counted ("records", "migrations").
 */
export function progressBar(label: string, unit: string, options: { json?: boolean } = {}): ProgressBar {
  if (options.json || !progressWanted()) return silent;
  const forced = !process.stderr.isTTY;
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    hideCursor: !forced,
    clearOnComplete: false,
    // Without a terminal (forced), redraw as lines at most once a second instead of in place.
    noTTYOutput: forced,
    notTTYSchedule: 1000,
  });
  let started = false;
  return {
    report(done, total) {
      if (!started) {
        bar.start(Math.max(total, 0), 0);
        started = true;
      }
      if (bar.getTotal() !== total) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Runs `work` with a bar, and always stops it (an error message must not land inside the bar). */
export async function withProgress<T>(label: string, unit: string, options: { json?: boolean }, work: (report: ProgressReporter) => Promise<T>): Promise<T> {
  const bar = progressBar(label, unit, options);
  try {
    return await work(bar.report);
  } finally {
    bar.stop();
  }
}
