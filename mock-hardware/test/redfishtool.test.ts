import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetDevice } from '../src/index.js';

// Debian's redfishtool (apt install redfishtool) is the client the issue names; skip where it is not installed.
const tool = ['/usr/bin/redfishtool', '/usr/local/bin/redfishtool'].find((p) => existsSync(p));
let fleet: Fleet;
let d: FleetDevice;

const run = (...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(tool!, ['-r', `${d.address}:${d.port}`, '-S', 'Always', '-u', d.credentials.user, '-p', d.credentials.password, ...args], { timeout: 20_000 }, (e, out, err) => (e ? reject(new Error(`${err}${out}`)) : resolve(out))),
  );

describe.skipIf(!tool)('redfishtool against a simulated DPU', () => {
  beforeAll(async () => {
    fleet = await startFleet({ seed: 'rft', timeScale: 0, baseAddress: '127.28.0.1', devices: [{ persona: 'bluefield3' }] });
    d = fleet.devices[0]!;
  });
  afterAll(async () => fleet?.stop());

  it('resets the DPU and watches BootProgress reach OS running', async () => {
    await run('Systems', '-I', 'Bluefield', 'reset', 'ForceRestart');
    const state = async () => (JSON.parse(await run('Systems', '-I', 'Bluefield', 'get')) as { BootProgress: { OemLastState: string; LastState: string } }).BootProgress;
    expect((await state()).OemLastState).toBe('BootRom');
    fleet.clock.advance(20_000);
    expect((await state()).OemLastState).toBe('UEFI');
    fleet.clock.advance(60_000);
    expect(await state()).toMatchObject({ LastState: 'OSRunning', OemLastState: 'OsIsRunning' });
    // Four Python start-ups: on a loaded 2-core machine that can pass vitest's 30 s default.
  }, 90_000);
});
