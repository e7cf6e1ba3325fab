// Starts the server under test ($GANNET_SERVER, else a built gannet-server) on a free loopback
// port for the Node.js client tests, waits for PING, and always stops it. useServer() is the
// before/after block every test file shares; ioredisClients() and nodeRedisClients() add the
// file's connect() on top of it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function serverBinary() {
  if (process.env.GANNET_SERVER) return process.env.GANNET_SERVER;
  for (const preset of ['asan', 'debug', 'release']) {
    const candidate = path.join(here, '..', '..', 'build', preset, 'src', 'gannet-server');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('no server binary: set GANNET_SERVER=/path/to/gannet-server');
}

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

function ping(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const done = (ok) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      data += d;
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

export class Server {
  constructor({ port, args = [] } = {}) {
    this.binary = serverBinary();
    this.port = port;
    this.args = args;
    this.proc = null;
    this.log = '';
  }

  async start() {
    if (!this.port) this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1'];
    if (path.basename(this.binary).startsWith('redis-server')) {
      args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no');
    } else {
      // Gannet saves by default too (Redis 7.0's save points): not into the tests' cwd.
      args.push('--save', '');
    }
    this.proc = spawn(this.binary, [...args, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d) => { this.log += d; });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    const exited = once(this.proc, 'exit');
    this.exited = exited;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`server exited at start:\n${this.log}`);
      if (await ping(this.port)) return this;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`server not answering on ${this.port}:\n${this.log}`);
  }

  // Returns the exit code (0 = clean shutdown).
  async stop() {
    if (!this.proc) return null;
    const proc = this.proc;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      await this.exited;
      clearTimeout(timer);
    }
    return proc.exitCode;
  }
}

// One server for the test file: started before its tests; after them every client handed to
// track() is closed, the server is stopped, teardown() runs, and the stop must have been
// clean (exit code 0, the server's log as the message).
//   args: extra server arguments, or a function returning them (called after setup)
//   setup / teardown: run before the server starts / after it stopped
// The returned object's `server` is the running Server; a test that restarts the server
// assigns the new one to it.
export function useServer({ args = [], setup, teardown } = {}) {
  const closers = [];
  const fixture = {
    server: null,
    track(client, close) {
      closers.push(() => close(client));
      return client;
    },
  };
  before(async () => {
    if (setup) await setup();
    fixture.server = await new Server({ args: typeof args === 'function' ? args() : args }).start();
  });
  after(async () => {
    for (const close of closers) close();
    const code = await fixture.server.stop();
    if (teardown) await teardown();
    assert.equal(code, 0, fixture.server.log);
  });
  return fixture;
}

// ioredis clients of the shared server: connect(options) opens one (loopback, reconnecting
// every 50 ms, up to 50 retries per request) with `defaults` (an object, or a function
// called at each connect) and then `options` over those. serverOptions go to useServer().
export function ioredisClients(Redis, { defaults = {}, ...serverOptions } = {}) {
  const fixture = useServer(serverOptions);
  const connect = (options = {}) => fixture.track(
    new Redis({ port: fixture.server.port, host: '127.0.0.1', retryStrategy: () => 50,
                maxRetriesPerRequest: 50,
                ...(typeof defaults === 'function' ? defaults() : defaults), ...options }),
    (c) => c.disconnect());
  return { fixture, connect };
}

// node-redis clients of the shared server: `await connect(options)` creates one on the
// loopback with `reconnectStrategy` (options replace whole top-level fields, `socket`
// included), ignores its 'error' events (reconnection errors are expected when a test
// restarts the server) and connects it; the open ones are destroyed after the tests.
export function nodeRedisClients(createClient, { reconnectStrategy = () => 50,
                                                 ...serverOptions } = {}) {
  const fixture = useServer(serverOptions);
  const connect = async (options = {}) => {
    const client = createClient({
      socket: { host: '127.0.0.1', port: fixture.server.port, reconnectStrategy },
      ...options,
    });
    client.on('error', () => {});
    fixture.track(client, (c) => { if (c.isOpen) c.destroy(); });
    await client.connect();
    return client;
  };
  return { fixture, connect };
}
