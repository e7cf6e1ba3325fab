// ioredis over TLS (its `tls` option: ca, cert, key) against the server's tls-port, with a CA
// and certificates made by the openssl CLI at test time: SET/GET, a 1,000-command pipeline,
// a large value, RESP3, pub/sub, and a client without a certificate being refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Redis from 'ioredis';
import { freePort, ioredisClients } from './server.mjs';

let tlsPort;
let dir;
const pki = {};

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makePki() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gannet-ioredis-tls-'));
  for (const n of ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'client.crt', 'client.key']) {
    pki[n] = path.join(dir, n);
  }
  openssl('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-days', '2',
          '-keyout', pki['ca.key'], '-out', pki['ca.crt'], '-subj', '/CN=Gannet ioredis CA');
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, ext] of [['server', true], ['client', false]]) {
    openssl('req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', pki[`${name}.key`],
            '-out', path.join(dir, `${name}.csr`), '-subj', `/CN=gannet-${name}`);
    openssl('x509', '-req', '-in', path.join(dir, `${name}.csr`), '-CA', pki['ca.crt'],
            '-CAkey', pki['ca.key'], '-CAcreateserial', '-days', '2', '-out', pki[`${name}.crt`],
            ...(ext ? ['-extfile', path.join(dir, 'san.ext')] : []));
  }
}

function tlsOptions({ withCert = true } = {}) {
  const tls = { ca: fs.readFileSync(pki['ca.crt']), servername: 'localhost' };
  if (withCert) {
    tls.cert = fs.readFileSync(pki['client.crt']);
    tls.key = fs.readFileSync(pki['client.key']);
  }
  return tls;
}

// Clients speak TLS to the tls-port; the server also listens on its plain port.
const { connect } = ioredisClients(Redis, {
  defaults: () => ({ port: tlsPort, tls: tlsOptions(), maxRetriesPerRequest: 20 }),
  setup: async () => {
    makePki();
    tlsPort = await freePort();
  },
  args: () => ['--tls-port', String(tlsPort), '--tls-cert-file', pki['server.crt'],
               '--tls-key-file', pki['server.key'], '--tls-ca-cert-file', pki['ca.crt']],
  teardown: () => fs.rmSync(dir, { recursive: true, force: true }),
});

test('SET and GET over TLS', async () => {
  const r = connect();
  assert.equal(await r.set('tls:greeting', 'hello'), 'OK');
  assert.equal(await r.get('tls:greeting'), 'hello');
  assert.equal(await r.incrby('tls:counter', 5), 5);
  const info = await r.client('INFO');
  assert.match(info, new RegExp(`laddr=127\\.0\\.0\\.1:${tlsPort} `));
});

test('pipeline of 1,000 commands over TLS', async () => {
  const r = connect();
  const p = r.pipeline();
  for (let i = 0; i < 500; i += 1) {
    p.set(`tp:${i}`, `v${i}`.repeat(50));
    p.get(`tp:${i}`);
  }
  const results = await p.exec();
  assert.equal(results.length, 1000);
  for (let i = 0; i < 500; i += 1) {
    assert.deepEqual(results[2 * i], [null, 'OK']);
    assert.deepEqual(results[2 * i + 1], [null, `v${i}`.repeat(50)]);
  }
});

test('a 4 MB value round-trips', async () => {
  const r = connect();
  const big = 'x'.repeat(4 * 1024 * 1024 - 7) + 'the-end';
  assert.equal(await r.set('tls:big', big), 'OK');
  const back = await r.getBuffer('tls:big');
  assert.equal(back.length, big.length);
  assert.equal(back.toString(), big);
  assert.equal(await r.del('tls:big'), 1);
});

test('RESP3 and pub/sub over TLS', async () => {
  const sub = connect();
  const pub = connect();
  const got = [];
  const all = new Promise((resolve) => {
    sub.on('message', (channel, message) => {
      got.push([channel, message]);
      if (got.length === 3) resolve();
    });
  });
  await sub.subscribe('tls:news');
  for (let i = 0; i < 3; i += 1) await pub.publish('tls:news', `m${i}`);
  await all;
  assert.deepEqual(got, [['tls:news', 'm0'], ['tls:news', 'm1'], ['tls:news', 'm2']]);
  const r3 = connect();
  const hello = await r3.call('HELLO', '3');
  assert.ok(JSON.stringify(hello).includes('proto'));
});

test('a client without a certificate is refused', async () => {
  const r = new Redis({ port: tlsPort, host: '127.0.0.1', tls: tlsOptions({ withCert: false }),
                        retryStrategy: () => null, maxRetriesPerRequest: 0,
                        enableOfflineQueue: true });
  r.on('error', () => {});
  await assert.rejects(r.ping());
  r.disconnect();
  // The server is unharmed.
  assert.equal(await connect().ping(), 'PONG');
});
