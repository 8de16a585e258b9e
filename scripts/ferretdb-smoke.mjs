#!/usr/bin/env node
// Smoke test of the FerretDB build (scripts/ferretdb-build.sh): starts the binary the way
// scripts/mongo-server.ts does (its ferretDbArgs), sends `buildInfo` over a raw OP_MSG, writes a
// document, kills the server with SIGKILL, restarts it on the same port and data dir, reads the
// document back, and stops. Only Node built-ins; minimal hand-written BSON. Needs Node >= 22.18
// (it imports the TypeScript launcher through Node's type stripping): npm run ferretdb:smoke
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ferretDbArgs } from './mongo-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, '.cache/ferretdb/bin/ferretdb');
if (!existsSync(bin)) {
  console.error(`${bin} is missing: run scripts/ferretdb-build.sh first`);
  process.exit(1);
}

// --- minimal BSON -------------------------------------------------------------------------------
function encode(doc) {
  const parts = [];
  for (const [k, v] of Object.entries(doc)) {
    const key = Buffer.from(k + '\0');
    let type, body;
    if (typeof v === 'string') {
      const s = Buffer.from(v + '\0');
      body = Buffer.alloc(4 + s.length);
      body.writeInt32LE(s.length);
      s.copy(body, 4);
      type = 0x02;
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      body = Buffer.alloc(4);
      body.writeInt32LE(v);
      type = 0x10;
    } else if (typeof v === 'number') {
      body = Buffer.alloc(8);
      body.writeDoubleLE(v);
      type = 0x01;
    } else if (typeof v === 'boolean') {
      body = Buffer.from([v ? 1 : 0]);
      type = 0x08;
    } else if (Array.isArray(v)) {
      body = encode(Object.fromEntries(v.map((x, i) => [String(i), x])));
      type = 0x04;
    } else {
      body = encode(v);
      type = 0x03;
    }
    parts.push(Buffer.from([type]), key, body);
  }
  const inner = Buffer.concat(parts);
  const out = Buffer.alloc(4 + inner.length + 1);
  out.writeInt32LE(out.length);
  inner.copy(out, 4);
  return out;
}

function decode(buf, asArray = false) {
  const out = asArray ? [] : {};
  let i = 4;
  const end = buf.readInt32LE(0) - 1;
  while (i < end) {
    const type = buf[i++];
    const z = buf.indexOf(0, i);
    const key = buf.toString('utf8', i, z);
    i = z + 1;
    let v;
    switch (type) {
      case 0x01:
        v = buf.readDoubleLE(i);
        i += 8;
        break;
      case 0x02: {
        const n = buf.readInt32LE(i);
        v = buf.toString('utf8', i + 4, i + 3 + n);
        i += 4 + n;
        break;
      }
      case 0x03:
      case 0x04: {
        const n = buf.readInt32LE(i);
        v = decode(buf.subarray(i, i + n), type === 0x04);
        i += n;
        break;
      }
      case 0x05: {
        const n = buf.readInt32LE(i);
        v = `<binary ${n}>`;
        i += 5 + n;
        break;
      }
      case 0x07:
        v = buf.toString('hex', i, i + 12);
        i += 12;
        break;
      case 0x08:
        v = buf[i] === 1;
        i += 1;
        break;
      case 0x09:
        v = new Date(Number(buf.readBigInt64LE(i)));
        i += 8;
        break;
      case 0x0a:
        v = null;
        break;
      case 0x10:
        v = buf.readInt32LE(i);
        i += 4;
        break;
      case 0x11:
      case 0x12:
        v = buf.readBigInt64LE(i);
        i += 8;
        break;
      default:
        throw new Error(`BSON type 0x${type.toString(16)} not supported by this smoke script`);
    }
    if (asArray) out.push(v);
    else out[key] = v;
  }
  return out;
}

// --- OP_MSG over a raw socket -------------------------------------------------------------------
let requestId = 1;
function command(port, cmd) {
  return new Promise((resolve, reject) => {
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), encode(cmd)]); // flagBits=0, kind 0
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + body.length, 0);
    header.writeInt32LE(requestId++, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(2013, 12); // OP_MSG
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    socket.on('connect', () => socket.write(Buffer.concat([header, body])));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= data.readInt32LE(0)) {
        socket.destroy();
        // header(16) + flagBits(4) + section kind(1) + document
        resolve(decode(data.subarray(21)));
      }
    });
    socket.on('error', reject);
  });
}

// --- server -------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const canConnect = (port) =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ferretdb-smoke-'));
const port = await freePort();
const args = ferretDbArgs(dataDir, port);

async function start() {
  const t0 = Date.now();
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  child.exited = new Promise((r) => child.once('exit', r));
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`ferretdb exited (${child.exitCode}):\n${stderr}`);
    if (Date.now() - t0 > 30_000) throw new Error(`ferretdb not ready after 30 s:\n${stderr}`);
    await sleep(100);
  }
  console.log(`ferretdb pid ${child.pid} ready on 127.0.0.1:${port} in ${Date.now() - t0} ms`);
  return child;
}

let child;
let failed = false;
try {
  child = await start();
  const info = await command(port, { buildInfo: 1, $db: 'admin' });
  console.log(
    `buildInfo: ferretdbVersion=${info.ferretdbVersion} version=${info.version} ok=${info.ok}`,
  );
  const hello = await command(port, { hello: 1, $db: 'admin' });
  console.log(
    `hello: isWritablePrimary=${hello.isWritablePrimary} setName=${hello.setName ?? '(none)'} maxWireVersion=${hello.maxWireVersion}`,
  );

  const ins = await command(port, {
    insert: 'items',
    documents: [{ _id: 'a', n: 1 }],
    $db: 'smoke',
  });
  console.log(`insert: n=${ins.n} ok=${ins.ok}`);

  child.kill('SIGKILL');
  await child.exited;
  console.log('killed with SIGKILL; restarting on the same port and data dir');
  child = await start();
  const found = await command(port, { find: 'items', filter: { _id: 'a' }, $db: 'smoke' });
  const docs = found.cursor?.firstBatch ?? [];
  console.log(`find after restart: ${JSON.stringify(docs)}`);
  if (docs.length !== 1 || docs[0].n !== 1)
    throw new Error('document written before kill -9 is missing');
  console.log('SMOKE OK');
} catch (err) {
  failed = true;
  console.error(`SMOKE FAILED: ${err.stack ?? err}`);
} finally {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await Promise.race([child.exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
