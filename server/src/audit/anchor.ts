/**
 * The outside anchor of `palisade audit verify --anchor`: the newest checkpoint known from
 * somewhere the database owner cannot rewrite. Every checkpoint the sealer signs is logged whole
 * (`{"event":"audit.checkpoint","n":…,"seq":…,"checkpoint":"<compact JWS>"}`: a checkpoint is a
 * signed public statement, no secret), so the anchor may be given as the JWS itself, as a file
 * holding it, or as the server's log file, from which the checkpoint with the highest `n` is
 * taken (lines that are not JSON, such as the start-up banner, are skipped).
 */
import { readFileSync } from 'node:fs';

const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The event name of the log line that carries each checkpoint. */
export const CHECKPOINT_LOG_EVENT = 'audit.checkpoint';

/** The newest checkpoint in log text (JSON lines), or undefined when it holds none. */
export function newestLoggedCheckpoint(text: string): string | undefined {
  let newest: { n: number; checkpoint: string } | undefined;
  for (const line of text.split('\n')) {
    if (!line.includes(CHECKPOINT_LOG_EVENT)) continue;
    let entry: { event?: unknown; n?: unknown; checkpoint?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.event !== CHECKPOINT_LOG_EVENT || typeof entry.checkpoint !== 'string' || !COMPACT_JWS.test(entry.checkpoint)) continue;
    const n = Number(entry.n);
    if (!newest || n > newest.n) newest = { n, checkpoint: entry.checkpoint };
  }
  return newest?.checkpoint;
}

/** `--anchor`'s argument: a compact JWS, a file holding one, or a server log file. */
export function readAnchor(argument: string): string {
  if (COMPACT_JWS.test(argument.trim())) return argument.trim();
  const text = readFileSync(argument, 'utf8');
  return newestLoggedCheckpoint(text) ?? text.trim();
}
