/**
 * The one bounded in-process map behind Palisade's caches: it never holds more than `max`
 * entries whatever keys arrive, and forgets the right one first for each order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap } from '../../src/cache/index.ts';

describe('BoundedMap', () => {
  test('a flood of distinct keys never grows it past max', () => {
    const map = new BoundedMap<string, number>({ max: 3, order: 'use' });
    for (let i = 0; i < 10_000; i++) map.set(`attacker-${i}`, i);
    assert.equal(map.size, 3);
    assert.deepEqual([...map.keys()], ['attacker-9997', 'attacker-9998', 'attacker-9999']);
  });

  test("order 'use': a key in use survives a flood of one-off keys", () => {
    const map = new BoundedMap<string, string>({ max: 2, order: 'use' });
    map.set('device', 'key');
    for (let i = 0; i < 100; i++) {
      assert.equal(map.get('device'), 'key');
      map.set(`one-off-${i}`, 'x');
    }
    assert.equal(map.get('device'), 'key');
    assert.equal(map.size, 2);
  });

  test("order 'insert': reading does not keep an entry; the first stored is forgotten first", () => {
    const map = new BoundedMap<string, number>({ max: 2, order: 'insert' });
    map.set('a', 1).set('b', 2);
    assert.equal(map.get('a'), 1);
    map.set('c', 3);
    assert.equal(map.get('a'), undefined, 'a was first in, so first out, although it was read');
    assert.deepEqual([...map.keys()], ['b', 'c']);
  });

  test('storing a key again replaces it without evicting another', () => {
    const map = new BoundedMap<string, number>({ max: 2, order: 'insert' });
    map.set('a', 1).set('b', 2).set('a', 3);
    assert.equal(map.size, 2);
    assert.equal(map.peek('a'), 3);
    assert.equal(map.peek('b'), 2);
    assert.deepEqual([...map.keys()], ['b', 'a'], 'a re-stored is the newest');
  });

  test('peek does not move a key; delete and clear forget', () => {
    const map = new BoundedMap<string, number>({ max: 2, order: 'use' });
    map.set('a', 1).set('b', 2);
    assert.equal(map.peek('a'), 1);
    map.set('c', 3);
    assert.equal(map.has('a'), false, 'peek did not save a');
    assert.equal(map.delete('b'), true);
    assert.equal(map.delete('b'), false);
    map.clear();
    assert.equal(map.size, 0);
  });

  test('a max below one still holds the newest entry (a cache of nothing would refuse every hit)', () => {
    const map = new BoundedMap<string, number>({ max: 0, order: 'insert' });
    map.set('a', 1).set('b', 2);
    assert.equal(map.max, 1);
    assert.deepEqual([...map.keys()], ['b']);
  });
});
