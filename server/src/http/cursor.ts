/**
 * Opaque, tamper-evident keyset cursors for the lists. A cursor is the position after the last
 * row of a page (its sort key and id), bound to the list and to the filters it was made for,
 * and authenticated with HMAC-SHA256 under a key derived from the master key. The client can
 * only hand it back: an edited, truncated, foreign or stale-filter cursor is a 400 problem,
 * never a 500 and never some other page.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { constantTimeEqual, deriveKey, type MasterKey } from '../security/index.ts';
import { problems } from './problems.ts';

export type Position = readonly [sortKey: string, id: string];

export class Cursors {
  readonly #key: KeyObject;

  constructor(master: MasterKey) {
    this.#key = deriveKey(master, 'list-cursor');
  }

  #mac(list: string, filters: Record<string, unknown>, body: string): string {
    return createHmac('sha256', this.#key).update(`${list}\n${canonical(filters)}\n${body}`, 'utf8').digest('base64url');
  }

  /** The cursor a client sends back for the page after `position`. */
  seal(list: string, filters: Record<string, unknown>, position: Position): string {
    const body = Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
    return `${body}.${this.#mac(list, filters, body)}`;
  }

  /** The position a cursor stands for; throws a 400 problem for anything this server did not make for this list and these filters. */
  open(list: string, filters: Record<string, unknown>, cursor: string): Position {
    const refused = () => problems.validation([{ path: 'querystring.cursor', message: 'is not a cursor of this list with these filters: start again from the first page' }]);
    const [body, mac, ...rest] = cursor.split('.');
    if (!body || !mac || rest.length) throw refused();
    if (!constantTimeEqual(mac, this.#mac(list, filters, body))) throw refused();
    let position: unknown;
    try {
      position = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw refused();
    }
    if (!Array.isArray(position) || position.length !== 2 || !position.every((part) => typeof part === 'string')) throw refused();
    return [position[0] as string, position[1] as string];
  }
}

/** The filters in a fixed order, absent ones left out, so the same filters always bind the same way. */
function canonical(filters: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(filters).filter((k) => filters[k] !== undefined).sort().map((k) => [k, filters[k]]));
}
