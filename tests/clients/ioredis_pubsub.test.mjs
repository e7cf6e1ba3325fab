// ioredis against the server under test: local-cache invalidation across two application
// instances, once through an explicit pub/sub channel and once through keyspace
// notifications (writes, deletes and expiry), plus pattern subscriptions.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import Redis from 'ioredis';
import { ioredisClients } from './server.mjs';

const { connect } = ioredisClients(Redis);

// Resolves when pred() holds, polling; fails after `ms`.
async function eventually(pred, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition not reached in time');
}

// One application instance: a local cache in front of Redis, and a subscriber connection
// that evicts local entries when told to.
class AppInstance {
  constructor(name) {
    this.name = name;
    this.db = connect();
    this.sub = connect();
    this.local = new Map();
    this.loads = 0;
    this.invalidations = [];
  }

  async read(key) {
    if (this.local.has(key)) return this.local.get(key);
    this.loads += 1;
    const value = await this.db.get(key);
    this.local.set(key, value);
    return value;
  }

  close() {
    this.db.disconnect();
    this.sub.disconnect();
  }

  evict(key, why) {
    this.local.delete(key);
    this.invalidations.push([key, why]);
  }

  // Explicit invalidation messages on a channel.
  async listenChannel(channel) {
    this.sub.on('message', (ch, key) => { if (ch === channel) this.evict(key, 'message'); });
    assert.equal(await this.sub.subscribe(channel), 1);
  }

  // Keyspace notifications for keys under a prefix.
  async listenKeyspace(prefix) {
    const pattern = `__keyspace@0__:${prefix}*`;
    this.sub.on('pmessage', (pat, ch, event) => {
      if (pat === pattern) this.evict(ch.slice('__keyspace@0__:'.length), event);
    });
    assert.equal(await this.sub.psubscribe(pattern), 1);
  }

  async write(key, value, channel) {
    await this.db.set(key, value);
    if (channel) await this.db.publish(channel, key);
  }
}

test('cache invalidation across two instances through pub/sub', async () => {
  const admin = connect();
  await admin.flushall();
  const a = new AppInstance('a');
  const b = new AppInstance('b');
  await a.listenChannel('invalidate');
  await b.listenChannel('invalidate');
  await a.write('user:1', 'alice');
  assert.equal(await a.read('user:1'), 'alice');
  assert.equal(await b.read('user:1'), 'alice');
  assert.equal(await b.read('user:1'), 'alice');
  assert.equal(b.loads, 1);

  await a.write('user:1', 'alice-v2', 'invalidate');
  await eventually(() => b.invalidations.length === 1 && a.invalidations.length === 1);
  assert.equal(await b.read('user:1'), 'alice-v2');
  assert.equal(await a.read('user:1'), 'alice-v2');
  assert.equal(b.loads, 2);
  assert.deepEqual(await admin.pubsub('NUMSUB', 'invalidate'), ['invalidate', 2]);

  // ioredis 6 speaks RESP3 (messages are push frames), where a subscribed connection may
  // still run ordinary commands.
  assert.match(await b.sub.client('INFO'), / resp=3/);
  assert.equal(await b.sub.get('user:1'), 'alice-v2');
  assert.equal(await a.sub.unsubscribe('invalidate'), 0);
  assert.deepEqual(await admin.pubsub('NUMSUB', 'invalidate'), ['invalidate', 1]);
  a.close();
  b.close();
  await eventually(async () => (await admin.pubsub('NUMSUB', 'invalidate'))[1] === 0);
});

test('cache invalidation across two instances through keyspace events', async () => {
  const admin = connect();
  await admin.flushall();
  assert.equal(await admin.config('SET', 'notify-keyspace-events', 'Kg$x'), 'OK');
  assert.deepEqual(await admin.config('GET', 'notify-keyspace-events'),
                   ['notify-keyspace-events', 'g$xK']);
  try {
    const a = new AppInstance('a');
    const b = new AppInstance('b');
    await a.listenKeyspace('cache:');
    await b.listenKeyspace('cache:');

    await a.write('cache:p', 'v1');  // "set" reaches both instances
    await eventually(() => b.invalidations.length === 1);
    assert.deepEqual(b.invalidations[0], ['cache:p', 'set']);
    assert.equal(await b.read('cache:p'), 'v1');

    await a.write('cache:p', 'v2');
    await eventually(() => b.invalidations.length === 2);
    assert.equal(await b.read('cache:p'), 'v2');

    await admin.del('cache:p');
    await eventually(() => b.invalidations.length === 3);
    assert.deepEqual(b.invalidations[2], ['cache:p', 'del']);
    assert.equal(await b.read('cache:p'), null);

    // Expiry: the server removes the key by itself and says so.
    await admin.set('cache:ttl', 'soon', 'PX', 50);
    assert.equal(await b.read('cache:ttl'), 'soon');
    await eventually(() => b.invalidations.some(([k, e]) => k === 'cache:ttl' && e === 'expired'));
    assert.equal(await b.read('cache:ttl'), null);

    // Keys outside the prefix do not disturb the cache: after a marker key's event
    // arrives, nothing about other:key has.
    const before = b.invalidations.length;
    await admin.set('other:key', 'x');
    await admin.set('cache:marker', 'x');
    await eventually(() => b.invalidations.some(([k]) => k === 'cache:marker'));
    assert.deepEqual(b.invalidations.slice(before), [['cache:marker', 'set']]);
    a.close();
    b.close();
    await eventually(async () => (await admin.pubsub('NUMPAT')) === 0);
  } finally {
    await admin.config('SET', 'notify-keyspace-events', '');
  }
});

test('pattern subscriptions deliver pmessage with the pattern', async () => {
  const pub = connect();
  const sub = connect();
  const got = [];
  sub.on('pmessage', (pattern, channel, message) => got.push([pattern, channel, message]));
  assert.equal(await sub.psubscribe('orders.*'), 1);
  assert.equal(await pub.publish('orders.eu', 'o1'), 1);
  assert.equal(await pub.publish('users.eu', 'u1'), 0);
  assert.equal(await pub.publish('orders.us', 'o2'), 1);
  await eventually(() => got.length === 2);
  assert.deepEqual(got, [['orders.*', 'orders.eu', 'o1'], ['orders.*', 'orders.us', 'o2']]);
  assert.equal(await pub.pubsub('NUMPAT'), 1);
  sub.disconnect();
  await eventually(async () => (await pub.pubsub('NUMPAT')) === 0);
});
