import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

describe('shoal drivers', () => {
  it('lists the built-ins with their capabilities and the extensions composed into vendor drivers', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/shoal.js'), 'drivers'], { cwd: ROOT });
    const ids = stdout.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(['redfish', 'bluefield', 'openbmc', 'ipmi', 'snmp']);
    expect(stdout).toMatch(/extension oem-last-state: /);
    expect(stdout).toMatch(/^ipmi .*\n  capabilities: inventory, power, reset, boot\.override, logs$/m);
  });

  it('adds the external drivers a config names, and refuses a package that is not a driver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ drivers: { external: ['shoal-driver-example'] } }));
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/shoal.js'), 'drivers', '--config', good], { cwd: ROOT });
    expect(stdout).toMatch(/^contoso-example /m);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ drivers: { external: ['commander'] } }));
    const err = await run(process.execPath, [join(ROOT, 'bin/shoal.js'), 'drivers', '--config', bad], { cwd: ROOT }).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/not a Shoal driver/);
  });
});
