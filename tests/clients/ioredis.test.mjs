// ioredis against the server under test: cache-aside, a 1,000-command pipeline, SCAN-based
// invalidation (scanStream), a SET NX EX lock, reconnection after a restart, RESP2 and RESP3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Redis from 'ioredis';
import { Server, ioredisClients } from './server.mjs';

const { fixture, connect } = ioredisClients(Redis, { defaults: { lazyConnect: false } });

test('cache-aside with SET EX and GET', async () => {
  const r = connect();
  await r.flushall();
  let loads = 0;
  const load = async (id) => { loads += 1; return JSON.stringify({ id, name: `user ${id}` }); };
  const get = async (id) => {
    const key = `cache:user:${id}`;
    const hit = await r.get(key);
    if (hit !== null) return JSON.parse(hit);
    const value = await load(id);
    assert.equal(await r.set(key, value, 'EX', 60), 'OK');
    return JSON.parse(value);
  };
  assert.deepEqual(await get(7), { id: 7, name: 'user 7' });
  assert.deepEqual(await get(7), { id: 7, name: 'user 7' });
  assert.equal(loads, 1);
  const ttl = await r.ttl('cache:user:7');
  assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
  assert.equal(await r.del('cache:user:7'), 1);
  await get(7);
  assert.equal(loads, 2);
});

test('pipeline of 1,000 commands', async () => {
  const r = connect();
  await r.flushall();
  const p = r.pipeline();
  for (let i = 0; i < 500; i += 1) {
    p.set(`p:${i}`, `v${i}`);
    p.incr('p:counter');
  }
  const results = await p.exec();
  assert.equal(results.length, 1000);
  for (let i = 0; i < 1000; i += 1) {
    const [err, value] = results[i];
    assert.equal(err, null);
    assert.equal(value, i % 2 === 0 ? 'OK' : i / 2 + 0.5);
  }
  assert.equal(await r.dbsize(), 501);
  assert.equal(await r.get('p:499'), 'v499');
});

test('SCAN-based invalidation of a key prefix (scanStream)', async () => {
  const r = connect();
  await r.flushall();
  const args = [];
  for (let i = 0; i < 1000; i += 1) args.push(`user:${i}`, 'x');
  for (let i = 0; i < 100; i += 1) args.push(`session:${i}`, 'y');
  await r.mset(...args);
  const seen = new Set();
  const stream = r.scanStream({ match: 'user:*', count: 100 });
  for await (const keys of stream) {
    keys.forEach((k) => seen.add(k));
    if (keys.length) await r.unlink(...keys);
  }
  assert.equal(seen.size, 1000);
  assert.equal(await r.dbsize(), 100);
  assert.deepEqual(await r.keys('user:*'), []);
});

test('SET NX EX lock', async () => {
  const r = connect();
  await r.del('lock:job');
  assert.equal(await r.set('lock:job', 'token-a', 'EX', 10, 'NX'), 'OK');
  assert.equal(await r.set('lock:job', 'token-b', 'EX', 10, 'NX'), null);
  const ttl = await r.ttl('lock:job');
  assert.ok(ttl > 0 && ttl <= 10);
  // Release only our own lock (compare the token, then delete).
  assert.equal(await r.get('lock:job'), 'token-a');
  assert.equal(await r.del('lock:job'), 1);
  assert.equal(await r.set('lock:job', 'token-b', 'PX', 10000, 'NX'), 'OK');
  assert.equal(await r.getdel('lock:job'), 'token-b');
});

test('RESP3 (default protocol) and RESP2', async () => {
  const r3 = connect({ protocol: 3, replyMapping: 'resp3' });
  const hello = await r3.call('HELLO', '3');
  assert.equal(hello.proto, 3);
  assert.deepEqual(await r3.config('GET', 'timeout'), { timeout: '0' });
  assert.equal(await r3.get('missing'), null);
  assert.equal(await r3.incrbyfloat('f', '1.5'), '1.5');
  const r2 = connect({ protocol: 2 });
  assert.deepEqual(await r2.config('GET', 'timeout'), ['timeout', '0']);
  assert.equal(await r2.exists('f'), 1);
});

test('reconnects after the server restarts on the same port', async () => {
  const r = connect();
  assert.equal(await r.set('before', '1'), 'OK');
  const { server } = fixture;
  const port = server.port;
  assert.equal(await server.stop(), 0, server.log);
  fixture.server = await new Server({ port }).start();
  // The command waits in the offline queue until the client has reconnected.
  assert.equal(await r.set('after', '2'), 'OK');
  assert.equal(await r.get('after'), '2');
  assert.equal(await r.get('before'), null); // a cache: nothing persisted
});

test('monitor() session sees other clients\' commands', async () => {
  const r = connect();
  const monitor = await connect().monitor();
  const seen = [];
  const done = new Promise((resolve) => {
    monitor.on('monitor', (time, args, source, database) => {
      seen.push({ time, args, source, database });
      if (args[0].toUpperCase() === 'GET') resolve();  // ioredis sends names in lower case
    });
  });
  await r.select(2);
  await r.set('mon:k', 'v1');
  await r.get('mon:k');
  await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 5000))]);
  const set = seen.find((e) => e.args[0].toUpperCase() === 'SET');
  assert.deepEqual(set.args.slice(1), ['mon:k', 'v1']);
  assert.equal(set.database, '2');
  assert.match(set.source, /^127\.0\.0\.1:\d+$/);
  assert.ok(Math.abs(Number(set.time) - Date.now() / 1000) < 60);
  monitor.disconnect();
});
