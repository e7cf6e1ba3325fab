// node-redis's client-side cache (RESP3, CLIENT TRACKING ON, invalidation pushes) against the
// server under test: a cached read is served locally until another connection changes the
// key; then the server's invalidation evicts it and the next read fetches the fresh value.
// Also FLUSHALL (a null invalidation empties the cache) and a key that expires.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from 'redis';
import { BasicClientSideCache } from '@redis/client';
import { nodeRedisClients } from './server.mjs';

const { connect } = nodeRedisClients(createClient, { reconnectStrategy: false });

// Waits (bounded) until pred() holds: invalidations arrive asynchronously.
async function eventually(pred, what) {
  for (let i = 0; i < 200; i += 1) {
    if (await pred()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}


test('cached read, change from another connection, fresh value', async () => {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const app = await connect({ RESP: 3, clientSideCache: cache });
  const other = await connect();
  await other.flushAll();
  await other.set('user:1', 'alice');

  assert.equal(await app.get('user:1'), 'alice');
  assert.equal(cache.stats().missCount, 1);
  assert.equal(await app.get('user:1'), 'alice');
  assert.equal(cache.stats().hitCount, 1);  // served from the local cache

  await other.set('user:1', 'bob');
  await eventually(() => cache.size() === 0, 'the invalidation of user:1');
  assert.equal(await app.get('user:1'), 'bob');
  assert.equal(cache.stats().missCount, 2);
  assert.equal(await app.get('user:1'), 'bob');
  assert.equal(cache.stats().hitCount, 2);

  // Other types and commands that read several keys.
  await other.hSet('h', { f: '1' });
  assert.deepEqual({ ...(await app.hGetAll('h')) }, { f: '1' });
  await other.hSet('h', { f: '2' });
  await eventually(async () => (await app.hGetAll('h')).f === '2', 'the fresh hash');
});

test('FLUSHALL empties the cache; expiry invalidates', async () => {
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
  const app = await connect({ RESP: 3, clientSideCache: cache });
  const other = await connect();
  await other.mSet({ a: '1', b: '2' });
  assert.equal(await app.get('a'), '1');
  assert.equal(await app.get('b'), '2');
  assert.equal(cache.size(), 2);
  await other.flushAll();
  await eventually(() => cache.size() === 0, 'the null invalidation');
  assert.equal(await app.get('a'), null);

  await other.set('e', 'soon', { PX: 100 });
  assert.equal(await app.get('e'), 'soon');
  // Active expiry (or the other connection's read) removes the key: the cache is told.
  await eventually(async () => {
    await other.get('e');
    return cache.size() <= 1 && (await app.get('e')) === null;
  }, 'the expiry invalidation');
});
