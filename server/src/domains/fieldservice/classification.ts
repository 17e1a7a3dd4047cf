/**
 * Data classification of the field-service domain. Every field the API returns is one of:
 *   public     safe anywhere (status names, priorities)
 *   internal   company data, fine on a managed device (job titles, addresses, schedules)
 *   sensitive  personal or security-relevant: encrypted at rest, shown only to roles that need it,
 *              never cached offline (site access notes, customer contact details, locations)
 *   secret     never leaves the server (blob keys, data-key ids)
 * The schemas carry each field's class as `x-palisade-classification`, and `x-palisade-offline`
 * says whether a mobile app may keep it in its offline cache (docs/authorization.md).
 *
 * Some data has no place in this API at all: payment card numbers, national identity numbers,
 * health data and passwords. Free-text fields are checked against patterns for them and a match is
 * refused (`forbidden-data`) — the value is neither stored nor echoed.
 */
import { Problem } from '../../http/index.ts';

export type Classification = 'public' | 'internal' | 'sensitive' | 'secret';

/** Adds the classification and offline-cache marks to a JSON schema property. */
export function classified<T extends object>(schema: T, classification: Exclude<Classification, 'secret'>, offline = classification !== 'sensitive'): T {
  if (classification === 'sensitive' && offline) throw new Error('sensitive fields are never cacheable offline');
  return { ...schema, 'x-palisade-classification': classification, 'x-palisade-offline': offline };
}

/** The sensitive columns, stored only envelope-encrypted; the context binds value to row. */
export const ENCRYPTED_COLUMNS = {
  'fs_sites.access_notes': true,
  'fs_customers.contact_name': true,
  'fs_customers.contact_phone': true,
  'fs_customers.contact_email': true,
} as const;
export type EncryptedColumn = keyof typeof ENCRYPTED_COLUMNS;
export const encryptionContext = (column: EncryptedColumn, rowId: string) => `${column}:${rowId}`;

/** Luhn check: most 13–19 digit runs that pass it are card numbers (PANs). */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

interface ForbiddenPattern {
  kind: 'card-number' | 'national-id' | 'health-data' | 'password';
  test(text: string): boolean;
}

const FORBIDDEN: readonly ForbiddenPattern[] = [
  {
    kind: 'card-number',
    // Digits with optional single spaces or dashes between them, 13–19 digits, passing Luhn.
    // eslint-disable-next-line security/detect-unsafe-regex -- bounded: 12 to 18 repetitions of one digit and an optional separator
    test: (text) => [...text.matchAll(/(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])/g)].some((m) => luhn(m[0].replace(/[ -]/g, ''))),
  },
  {
    kind: 'national-id',
    // US SSN (not 000/666/9xx area), UK National Insurance number, and an explicit label.
    test: (text) =>
      /(?<![0-9])(?!000|666|9[0-9]{2})[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![0-9])/.test(text) ||
      /\b(?![DFIQUV])[A-Z](?![DFIQUVO])[A-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b/.test(text) ||
      /\b(?:ssn|social security (?:number|no)|national (?:id|insurance) (?:number|no)|passport (?:number|no))\b/i.test(text),
  },
  {
    kind: 'health-data',
    // Labels that introduce medical information, and ICD-10 codes next to one.
    test: (text) => /\b(?:diagnos(?:is|ed)|medical condition|medication|prescription|icd-?10|blood type|hiv|pregnan(?:t|cy))\b/i.test(text),
  },
  {
    kind: 'password',
    test: (text) => /\b(?:password|passwd|pwd)\s*(?:is|[:=])\s*\S+/i.test(text),
  },
];

export function forbiddenDataIn(text: string): ForbiddenPattern['kind'] | undefined {
  return FORBIDDEN.find((pattern) => pattern.test(text))?.kind;
}

export const forbiddenData = (field: string, kind: string) =>
  new Problem({
    type: 'forbidden-data',
    status: 422,
    title: 'This kind of data is not accepted',
    detail: `The field ${field} looks like it holds a ${kind.replace('-', ' ')}. Palisade does not store card numbers, national identity numbers, health data or passwords; remove it and send again.`,
    extensions: { field, kind },
  });

/** Refuses the request when any of these free-text fields holds data the API never accepts. */
export function refuseForbiddenData(fields: Record<string, string | null | undefined>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (!value) continue;
    const kind = forbiddenDataIn(value);
    if (kind) throw forbiddenData(field, kind);
  }
}
