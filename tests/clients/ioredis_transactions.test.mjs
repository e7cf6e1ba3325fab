// ioredis against the server under test: MULTI/EXEC and WATCH as applications use them. An
// optimistic-locking counter (WATCH, GET, MULTI SET EXEC, retry when EXEC returns null)
// incremented concurrently from several connections must lose no update; a queued error
// aborts the transaction; runtime errors come back per command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Redis from 'ioredis';
import { ioredisClients } from './server.mjs';

const { connect } = ioredisClients(Redis, { defaults: { lazyConnect: false } });

// One increment with WATCH; returns the number of attempts it took (bounded).
async function lockedIncrement(r, key, maxAttempts) {
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    await r.watch(key);
    const current = Number((await r.get(key)) ?? '0');
    // Yield so the other connections interleave between our read and our write.
    await new Promise((resolve) => setImmediate(resolve));
    const result = await r.multi().set(key, String(current + 1)).exec();
    if (result !== null) {
      assert.deepEqual(result, [[null, 'OK']]);
      return attempt;
    }
  }
  throw new Error(`no successful EXEC in ${maxAttempts} attempts`);
}

test('optimistic-locking counter under contention loses no update', async () => {
  const admin = connect();
  await admin.flushall();
  const workers = 6;
  const perWorker = 40;
  const conns = Array.from({ length: workers }, () => connect());
  let attempts = 0;
  await Promise.all(conns.map(async (r) => {
    for (let i = 0; i < perWorker; i += 1) {
      const n = await lockedIncrement(r, 'counter', 500);
      attempts += n;
    }
  }));
  assert.equal(await admin.get('counter'), String(workers * perWorker));
  // Contention really happened: some EXECs were refused and retried.
  assert.ok(attempts > workers * perWorker, `attempts ${attempts}`);
});

test('without WATCH the same race loses updates (the test can fail)', async () => {
  const admin = connect();
  await admin.flushall();
  const conns = Array.from({ length: 4 }, () => connect());
  await Promise.all(conns.map(async (r) => {
    for (let i = 0; i < 20; i += 1) {
      const current = Number((await r.get('naive')) ?? '0');
      await new Promise((resolve) => setImmediate(resolve));
      await r.multi().set('naive', String(current + 1)).exec();
    }
  }));
  assert.ok(Number(await admin.get('naive')) < 80);
});

test('a queued error aborts; runtime errors are per command', async () => {
  const r = connect();
  await r.flushall();
  await r.set('s', 'text');
  const results = await r.multi().set('a', '1').incr('s').get('a').exec();
  assert.equal(results.length, 3);
  assert.deepEqual(results[0], [null, 'OK']);
  assert.match(String(results[1][0]), /ERR value is not an integer/);
  assert.deepEqual(results[2], [null, '1']);

  await assert.rejects(
    r.multi().set('b', '1').call('NOSUCHCOMMAND').exec(),
    /EXECABORT Transaction discarded because of previous errors/);
  assert.equal(await r.get('b'), null);
});

test('DISCARD and UNWATCH', async () => {
  const r = connect();
  const other = connect();
  await r.flushall();
  await r.watch('w');
  await other.set('w', 'changed');
  assert.equal(await r.unwatch(), 'OK');
  assert.deepEqual(await r.multi().set('w', 'mine').exec(), [[null, 'OK']]);
  assert.equal(await r.multi({ pipeline: false }), 'OK');
  assert.equal(await r.set('never', '1'), 'QUEUED');
  assert.equal(await r.discard(), 'OK');
  assert.equal(await r.get('never'), null);
});

test('RESP3 connection: aborted EXEC is null', async () => {
  const r = connect({ protocol: 3 });
  const other = connect();
  await r.flushall();
  await r.watch('k');
  await other.set('k', '1');
  assert.equal(await r.multi().set('k', '2').exec(), null);
  assert.equal(await r.get('k'), '1');
});
