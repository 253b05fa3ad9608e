/**
 * The device directory's group commit: changes made in one turn of the event loop reach the store together, in
 * order, each with its events; a flush writes them at once; one bad write does not lose the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceDirectory } from '../../src/discovery/directory.js';
import { Journal } from '../../src/events/journal.js';
import type { DiscoveredDevice } from '../../src/model/discovery.js';
import { openStore, type Store } from '../../src/store/index.js';

const device = (id: string, host: string, extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice => ({
  id,
  state: 'CredentialsRequired',
  protocol: 'redfish',
  host,
  port: 443,
  identity: {},
  sources: { cidr: 1 },
  alternates: [],
  carried: [],
  reachable: true,
  revision: 1,
  firstSeen: 1,
  lastSeen: 1,
  updatedAt: 1,
  ...extra,
});

const turn = () => new Promise<void>((r) => setImmediate(r));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fileStore(): { store: Store; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-dir-'));
  dirs.push(dir);
  return { store: openStore(dir), dir };
}

describe('DeviceDirectory group commit', () => {
  it('writes the changes of one turn in one transaction at its end, and a reopened store sees them', async () => {
    const { store, dir } = fileStore();
    let transactions = 0;
    const counting = { ...store, transaction: <T>(fn: () => T): T => (transactions++, store.transaction(fn)) };
    const d = new DeviceDirectory(counting, new Journal(store.events));
    d.commit(device('aaaaaa', '10.0.0.1'), [{ id: 'ResourceCreated' }]);
    d.commit(device('bbbbbb', '10.0.0.2'), [{ id: 'ResourceCreated' }]);
    d.commit({ ...device('aaaaaa', '10.0.0.1'), state: 'Registered', revision: 2 }, [{ id: 'ResourceChanged' }]);
    // Served from memory at once; not yet on disk.
    expect(d.get('aaaaaa')!.state).toBe('Registered');
    expect(d.unwritten).toBe(3);
    expect(store.devices.loadAll().devices).toEqual([]);
    await turn();
    expect(transactions).toBe(1);
    expect(d.unwritten).toBe(0);
    store.close();

    const again = openStore(dir);
    const loaded = again.devices.loadAll().devices;
    expect(loaded.map((x) => [x.id, x.state]).sort()).toEqual([
      ['aaaaaa', 'Registered'],
      ['bbbbbb', 'CredentialsRequired'],
    ]);
    expect(again.events.list().map((e) => e.messageId.split('.').pop())).toEqual(['ResourceCreated', 'ResourceCreated', 'ResourceChanged']);
    again.close();
  });

  it('puts a deferred write (an endpoint row) into the same commit, after the changes queued before it', async () => {
    const store = openStore(':memory:');
    const order: string[] = [];
    let transactions = 0;
    const spying = {
      ...store,
      transaction: <T>(fn: () => T): T => (transactions++, store.transaction(fn)),
      devices: { ...store.devices, loadAll: () => store.devices.loadAll(), delete: (id: string) => store.devices.delete(id), save: (x: DiscoveredDevice, k: Parameters<Store['devices']['save']>[1]) => (order.push(`device ${x.id}`), store.devices.save(x, k)) },
    };
    const d = new DeviceDirectory(spying, new Journal(store.events));
    d.commit(device('ffffff', '10.0.0.7'));
    d.defer(() => order.push('endpoint ffffff'));
    expect(order).toEqual([]);
    await turn();
    expect(order).toEqual(['device ffffff', 'endpoint ffffff']);
    expect(transactions).toBe(1);
  });

  it('writes at once on flush, which is what a handler answering a client calls', () => {
    const store = openStore(':memory:');
    const d = new DeviceDirectory(store, new Journal(store.events));
    d.commit(device('cccccc', '10.0.0.3'));
    d.flush();
    expect(store.devices.loadAll().devices.map((x) => x.id)).toEqual(['cccccc']);
  });

  it('keeps the rest of a batch when one write in it fails, and reports the failure', async () => {
    const store = openStore(':memory:');
    const errors: string[] = [];
    const failing = {
      ...store,
      devices: {
        ...store.devices,
        loadAll: () => store.devices.loadAll(),
        delete: (id: string) => store.devices.delete(id),
        save: (x: DiscoveredDevice, keys: Parameters<Store['devices']['save']>[1]) => {
          if (x.id === 'badbad') throw new Error('disk says no');
          store.devices.save(x, keys);
        },
      },
    };
    const d = new DeviceDirectory(failing, new Journal(store.events), (e) => errors.push(e.message));
    d.commit(device('dddddd', '10.0.0.4'), [{ id: 'ResourceCreated' }]);
    d.commit(device('badbad', '10.0.0.5'), [{ id: 'ResourceCreated' }]);
    d.commit(device('eeeeee', '10.0.0.6'), [{ id: 'ResourceCreated' }]);
    await turn();
    expect(errors).toEqual(['disk says no']);
    expect(store.devices.loadAll().devices.map((x) => x.id).sort()).toEqual(['dddddd', 'eeeeee']);
    // The failed change's event was rolled back with it: no event for a record that is not there.
    expect(store.events.list()).toHaveLength(2);
  });
});
