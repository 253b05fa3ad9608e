import { Readable } from 'node:stream';
import type { Device } from '../core/device.js';
import type { LogRecord } from '../core/logs.js';
import { message } from '../core/messages.js';
import { fail, noContent, ok, type Route } from '../http/router.js';
import { accepted } from './common.js';
import { collection, ref, status, T } from './shapes.js';

/** One LogService under a Manager or System. */
export interface LogServiceDef {
  id: string;
  name: string;
  /** Key of the {@link Device.log} that backs it. */
  log: string;
  entryType: 'Event' | 'SEL' | 'Multiple' | 'OEM';
  /** Offers `LogService.CollectDiagnosticData` (crash dumps). */
  diagnostics?: ('Manager' | 'OS' | 'OEM')[];
}

function entryBody(base: string, r: LogRecord): Record<string, unknown> {
  const id = `${base}/Entries/${r.id}`;
  const b: Record<string, unknown> = {
    '@odata.type': T.LogEntry,
    '@odata.id': id,
    Id: String(r.id),
    Name: `Log Entry ${r.id}`,
    Created: new Date(Math.floor(r.created)).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    EntryType: r.entryType,
    Severity: r.severity,
    Message: r.message,
  };
  if (r.messageId) b.MessageId = r.messageId;
  if (r.messageArgs) b.MessageArgs = r.messageArgs;
  if (r.entryType === 'Oem') b.OemRecordFormat = r.oemRecordFormat ?? 'Oem';
  if (r.diagnostic) {
    b.DiagnosticDataType = r.diagnostic.type;
    if (r.diagnostic.oemType) b.OEMDiagnosticDataType = r.diagnostic.oemType;
    b.AdditionalDataSizeBytes = r.diagnostic.sizeBytes;
    b.AdditionalDataURI = `${id}/attachment`;
  }
  if (r.origin) b.Links = { OriginOfCondition: ref(r.origin) };
  return b;
}

/** LogServices collection, each service, its entries, and crash-dump attachments, under `base`. */
export function logRoutes(base: string, defs: LogServiceDef[], collectMs: (d: Device) => number): Route[] {
  const routes: Route[] = [
    { path: base, get: () => ok(collection(base, 'LogServiceCollection', 'Log Services', defs.map((d) => `${base}/${d.id}`))) },
  ];
  for (const def of defs) {
    const svc = `${base}/${def.id}`;
    routes.push(
      {
        path: svc,
        get: ({ device }) => {
          const b: Record<string, unknown> = {
            '@odata.type': T.LogService,
            '@odata.id': svc,
            Id: def.id,
            Name: def.name,
            ServiceEnabled: true,
            OverWritePolicy: 'WrapsWhenFull',
            MaxNumberOfRecords: device.log(def.log).max,
            DateTime: device.clock.iso(),
            LogEntryType: def.entryType,
            Status: status('Enabled', 'OK'),
            Entries: ref(`${svc}/Entries`),
            Actions: { '#LogService.ClearLog': { target: `${svc}/Actions/LogService.ClearLog` } } as Record<string, unknown>,
          };
          if (def.diagnostics) {
            (b.Actions as Record<string, unknown>)['#LogService.CollectDiagnosticData'] = {
              target: `${svc}/Actions/LogService.CollectDiagnosticData`,
              'DiagnosticDataType@Redfish.AllowableValues': def.diagnostics,
            };
          }
          return ok(b);
        },
      },
      {
        path: `${svc}/Entries`,
        get: ({ device }) => {
          const c = collection(`${svc}/Entries`, 'LogEntryCollection', `${def.name} Entries`, []);
          const list = device.log(def.log).list();
          c.Members = list.map((r) => entryBody(svc, r));
          c['Members@odata.count'] = list.length;
          return ok(c);
        },
      },
      {
        path: `${svc}/Entries/{entry}`,
        get: ({ device, params, path }) => {
          const r = device.log(def.log).get(Number(params.entry));
          return r ? ok(entryBody(svc, r)) : fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
        },
      },
      {
        path: `${svc}/Entries/{entry}/attachment`,
        get: ({ device, params, path, res }) => {
          const r = device.log(def.log).get(Number(params.entry));
          if (!r?.diagnostic) return fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': r.diagnostic.sizeBytes, 'OData-Version': '4.0' });
          let left = r.diagnostic.sizeBytes;
          const chunk = Buffer.alloc(64 * 1024, 0x2e);
          Readable.from((function* () {
            while (left > 0) {
              const n = Math.min(left, chunk.length);
              left -= n;
              yield chunk.subarray(0, n);
            }
          })()).pipe(res);
          return { handled: true };
        },
      },
      {
        path: `${svc}/Actions/LogService.ClearLog`,
        post: ({ device }) => {
          device.log(def.log).clear();
          device.publish('LogService.1.1.LogCleared' as string, [], 'OK', svc);
          return noContent();
        },
      },
    );
    if (def.diagnostics) {
      const allowed = def.diagnostics;
      routes.push({
        path: `${svc}/Actions/LogService.CollectDiagnosticData`,
        post: async ({ device, json, path }) => {
          const b = await json();
          const type = b.DiagnosticDataType;
          if (typeof type !== 'string') return fail(400, 'Base.1.22.ActionParameterMissing', ['LogService.CollectDiagnosticData', 'DiagnosticDataType']);
          if (!allowed.includes(type as 'OS')) return fail(400, 'Base.1.22.ActionParameterValueNotInList', [type, 'DiagnosticDataType', 'LogService.CollectDiagnosticData']);
          const oemType = typeof b.OEMDiagnosticDataType === 'string' ? b.OEMDiagnosticDataType : undefined;
          const t = device.tasks.create('CollectDiagnosticData', { uri: path, method: 'POST', body: JSON.stringify(b) });
          const ms = collectMs(device);
          device.clock.setTimeout(() => device.tasks.progress(t, 50), ms / 2);
          device.clock.setTimeout(() => {
            const rec = device.log(def.log).add({
              created: device.clock.now(),
              severity: 'OK',
              message: `${oemType ?? type} diagnostic data collected on request`,
              entryType: 'Oem',
              oemRecordFormat: 'Crashdump',
              diagnostic: { type: type as 'OS', ...(oemType ? { oemType } : {}), sizeBytes: 256 * 1024 + device.rng.int(0, 65536) },
            });
            device.tasks.complete(t, message('LogService.1.1.DiagnosticDataCollected', [`${svc}/Entries/${rec.id}`]));
            device.publish('LogService.1.1.DiagnosticDataCollected', [oemType ?? type], 'OK', `${svc}/Entries/${rec.id}`);
          }, ms);
          return accepted(t);
        },
      });
    }
  }
  return routes;
}
