/**
 * What the app keeps for working without a connection: the job list, in the SDK's encrypted
 * offline store (`OfflineStore`), holding only the fields Palisade's OpenAPI document marks
 * `x-palisade-offline: true`. Fields marked false (sensitive) or not classified are dropped
 * before the store sees the record, and the store checks again. Site details, access notes and
 * positions are never kept: their screens say they need a connection.
 *
 * The managed app configuration decides whether anything is kept at all: where it says
 * `offline_allowed: false` (a personal, BYOD, device by default) the store is off and erases
 * what an earlier configuration let it keep. The store is registered with the client, so a
 * wipe or a sign-out erases it with the SDK's own.
 */
import type { OfflinePolicy, OfflineStore } from '@palisade/client';
import type { Job } from './types';

/** The operation and key the job list is kept under. */
export const JOB_LIST = 'GET /api/v1/jobs';
const LIST_KEY = 'list';

type Marks = Map<string, boolean | 'container'>;

/** `value` with only the fields `marks` allows offline (the SDK's rule: true kept, container looked into, the rest dropped). */
export function offlineCopy(marks: Marks, value: unknown, prefix = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => offlineCopy(marks, item, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const mark = marks.get(path);
    if (mark === true) kept[name] = field;
    else if (mark === 'container' && (field === null || typeof field === 'object')) kept[name] = offlineCopy(marks, field, path);
  }
  return kept;
}

/**
 * Keeps the job list the server just gave (its offline-allowed fields only). Returns whether
 * anything was kept: false where offline data is off.
 */
export async function keepJobs(store: OfflineStore, policy: OfflinePolicy, jobs: readonly Job[]): Promise<boolean> {
  if (!store.enabled) return false;
  const marks = policy.get(JOB_LIST);
  if (!marks) return false;
  await store.put(JOB_LIST, LIST_KEY, offlineCopy(marks, { jobs }));
  return true;
}

/** The kept job list, or undefined (nothing kept, or offline data off). */
export async function keptJobs(store: OfflineStore): Promise<Job[] | undefined> {
  return (await store.get<{ jobs: Job[] }>(JOB_LIST, LIST_KEY))?.jobs;
}
