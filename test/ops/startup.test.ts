// A server that cannot listen says so in one line and leaves nothing behind: the ports are bound before the
// database is opened (PGlite: its data directory, lock and admin token; PostgreSQL: tables and events).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ADMIN_TOKEN } from '../helpers/api.ts';
import { openTestDatabase, type TestDatabase, testDatabaseKind } from '../helpers/database.ts';
import { startCairn } from '../helpers/processes.ts';

const onPostgres = testDatabaseKind === 'postgres';

let held: net.Server;
let heldPort: number;
/** An empty database (PostgreSQL), as a first start finds it. */
let empty: TestDatabase | null = null;
const parents: string[] = [];

beforeAll(async () => {
  held = net.createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  heldPort = (held.address() as net.AddressInfo).port;
  if (onPostgres) empty = await openTestDatabase('postgres', { migrated: false });
});
afterAll(async () => {
  await new Promise((resolve) => held?.close(resolve));
  await empty?.close();
  for (const dir of parents) fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts a server that must not start; what it printed on each stream, its exit code, and what it left. */
async function refusedStart(env: Record<string, string>, prefix: string[] = []) {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-startup-'));
  parents.push(parent);
  const started = startCairn(
    'src/main.ts',
    { CAIRN_BOOTSTRAP_TOKEN: ADMIN_TOKEN, CAIRN_DATA_DIR: path.join(parent, 'data'), DATABASE_URL: empty?.url ?? '', CAIRN_BLOB_STORE: '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    { prefix },
  );
  let stdout = '';
  let stderr = '';
  started.child.stdout!.on('data', (d) => (stdout += d));
  started.child.stderr!.on('data', (d) => (stderr += d));
  const code = await started.exited;
  await started.closed;
  return { code, stdout, stderr, left: fs.readdirSync(parent, { recursive: true }) };
}

/** The tables of the database a refused start was pointed at (PostgreSQL); none is the point. */
async function tablesOfEmpty(): Promise<string[]> {
  if (!empty) return [];
  const { rows } = await sql<{ name: string }>`select table_schema || '.' || table_name as name from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema')`.execute(empty.db);
  return rows.map((r) => r.name);
}

function expectOneLine(run: Awaited<ReturnType<typeof refusedStart>>, pattern: RegExp) {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\bat .*:\d+|Error|node:/); // no stack trace, no error class
  expect(run.left).toEqual([]);
}

it(`a taken port ends the start in one line naming the port and PORT, exit 1, nothing created (${testDatabaseKind})`, { timeout: 120_000 }, async () => {
  const run = await refusedStart({ PORT: String(heldPort) });
  expectOneLine(run, new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${heldPort}: port ${heldPort} is already in use .*set PORT to a free port\\.\\n$`));
  expect(await tablesOfEmpty()).toEqual([]);
});

it('so does a taken metrics port, naming CAIRN_METRICS_PORT', { timeout: 120_000 }, async () => {
  const run = await refusedStart({ PORT: '0', CAIRN_METRICS_PORT: String(heldPort) });
  expectOneLine(run, new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${heldPort}: port ${heldPort} is already in use .*set CAIRN_METRICS_PORT to a free port\\.\\n$`));
  expect(await tablesOfEmpty()).toEqual([]);
});

it('a port it may not bind (below 1024, without the privilege) and a HOST that is not this machine get one line each naming the variable', { timeout: 120_000 }, async () => {
  // Root may bind port 80: run it without CAP_NET_BIND_SERVICE, as an unprivileged user would be.
  expect(Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'))).toBeGreaterThan(80);
  const unprivileged = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-net_bind_service'] : [];
  const [privileged, foreign, unresolvable] = await Promise.all([
    refusedStart({ PORT: '80' }, unprivileged),
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has it.
    refusedStart({ PORT: '0', HOST: '192.0.2.1' }),
    refusedStart({ PORT: '0', HOST: 'no-such-host.invalid' }),
  ]);
  expectOneLine(privileged, /^Cannot listen on 127\.0\.0\.1:80: port 80 needs privileges .*Set PORT to a port of 1024 or above\.\n$/);
  expectOneLine(foreign, /^Cannot listen on 192\.0\.2\.1:0: no network interface of this machine has the address 192\.0\.2\.1\. Set HOST to one it has/);
  expectOneLine(unresolvable, /^Cannot listen on no-such-host\.invalid:0: the host name "no-such-host\.invalid" does not resolve .*Set HOST to one it has/);
  expect(await tablesOfEmpty()).toEqual([]);
});

it('a PORT out of range and a HOST that is no address are refused by the configuration, naming the variable', { timeout: 120_000 }, async () => {
  const hostile = { PORT: ['65536', '99999999999999999999', '-1', '0x50', ' ', '4000\u0000'], HOST: ['bad\u{D800}host', 'a b', '127.0.0.1\u{FEFF}', '-a', 'x'.repeat(300), 'host\u0000'] };
  for (const [variable, values] of Object.entries(hostile)) {
    for (const value of values) {
      expect(() => loadConfig({ PORT: '0', [variable]: value }), JSON.stringify(value)).toThrow(new RegExp(`^Invalid configuration:\\n {2}${variable}: must be [^\\n]*$`));
    }
  }
  // As a process (an environment cannot hold a NUL): one line each, exit 1, nothing created.
  const runs = await Promise.all([refusedStart({ PORT: '65536' }), refusedStart({ PORT: '0', HOST: 'bad\u{D800}host' })]);
  for (const [run, variable] of [
    [runs[0]!, 'PORT'],
    [runs[1]!, 'HOST'],
  ] as const) {
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^Invalid configuration:\\n {2}${variable}: must be [^\\n]*\\n$`));
    expect(run.left).toEqual([]);
  }
  expect(await tablesOfEmpty()).toEqual([]);
});
