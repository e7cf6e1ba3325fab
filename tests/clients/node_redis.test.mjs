// node-redis (the `redis` package) against the server under test: cache-aside, a 1,000-command
// pipeline, SCAN-based invalidation (scanIterator), a SET NX EX lock, reconnection after a
// restart, RESP3 (its default) and RESP2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from 'redis';
import { Server, nodeRedisClients } from './server.mjs';

const { fixture, connect } = nodeRedisClients(createClient);

test('cache-aside with SET EX and GET', async () => {
  const r = await connect();
  await r.flushAll();
  let loads = 0;
  const get = async (id) => {
    const key = `cache:item:${id}`;
    const hit = await r.get(key);
    if (hit !== null) return hit;
    loads += 1;
    const value = `item-${id}`;
    assert.equal(await r.set(key, value, { EX: 60 }), 'OK');
    return value;
  };
  assert.equal(await get(1), 'item-1');
  assert.equal(await get(1), 'item-1');
  assert.equal(loads, 1);
  const ttl = await r.ttl('cache:item:1');
  assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
});

test('pipeline of 1,000 commands', async () => {
  const r = await connect();
  await r.flushAll();
  const p = r.multi();
  for (let i = 0; i < 500; i += 1) {
    p.set(`p:${i}`, `v${i}`);
    p.incr('p:counter');
  }
  const results = await p.execAsPipeline();
  assert.equal(results.length, 1000);
  for (let i = 0; i < 1000; i += 1) {
    assert.equal(results[i], i % 2 === 0 ? 'OK' : (i + 1) / 2);
  }
  // Implicit pipelining: many commands issued before awaiting any.
  const gets = await Promise.all(Array.from({ length: 500 }, (_, i) => r.get(`p:${i}`)));
  assert.deepEqual(gets, Array.from({ length: 500 }, (_, i) => `v${i}`));
  assert.equal(await r.dbSize(), 501);
});

test('SCAN-based invalidation of a key prefix (scanIterator)', async () => {
  const r = await connect();
  await r.flushAll();
  const entries = [];
  for (let i = 0; i < 1000; i += 1) entries.push([`user:${i}`, 'x']);
  for (let i = 0; i < 100; i += 1) entries.push([`session:${i}`, 'y']);
  await r.mSet(entries);
  const seen = new Set();
  for await (const batch of r.scanIterator({ MATCH: 'user:*', COUNT: 100 })) {
    const keys = Array.isArray(batch) ? batch : [batch];
    keys.forEach((k) => seen.add(k));
    if (keys.length) await r.unlink(keys);
  }
  assert.equal(seen.size, 1000);
  assert.equal(await r.dbSize(), 100);
});

test('SET NX EX lock', async () => {
  const r = await connect();
  await r.del('lock:job');
  assert.equal(await r.set('lock:job', 'a', { NX: true, EX: 10 }), 'OK');
  assert.equal(await r.set('lock:job', 'b', { NX: true, EX: 10 }), null);
  assert.equal(await r.get('lock:job'), 'a');
  assert.equal(await r.del('lock:job'), 1);
  assert.equal(await r.set('lock:job', 'b', { NX: true, PX: 10000 }), 'OK');
});

test('RESP3 (default) and RESP2', async () => {
  const r3 = await connect({ RESP: 3 });
  const hello = await r3.hello('3');
  assert.equal(hello.proto, 3);
  assert.equal(await r3.get('missing'), null);
  assert.equal(await r3.set('k', 'v'), 'OK');
  const r2 = await connect({ RESP: 2 });
  assert.equal(await r2.get('k'), 'v');
  assert.deepEqual(await r2.configGet('timeout'), { timeout: '0' });
  assert.deepEqual(await r3.configGet('timeout'), { timeout: '0' });
});

test('reconnects after the server restarts on the same port', async () => {
  const r = await connect();
  assert.equal(await r.set('before', '1'), 'OK');
  const { server } = fixture;
  const port = server.port;
  assert.equal(await server.stop(), 0, server.log);
  fixture.server = await new Server({ port }).start();
  const deadline = Date.now() + 10000;
  let reply;
  while (Date.now() < deadline) {
    try {
      reply = await r.set('after', '2');
      break;
    } catch {
      await new Promise((s) => setTimeout(s, 50));
    }
  }
  assert.equal(reply, 'OK');
  assert.equal(await r.get('before'), null);
});
