// Starts the server under test ($GANNET_SERVER, else a built gannet-server) on a free loopback
// port for the Node.js client tests, waits for PING, and always stops it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
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
