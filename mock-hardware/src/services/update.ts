import type { KeyObject } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Device } from '../core/device.js';
import type { FirmwareComponent } from '../core/firmware.js';
import { ImageVerifier, type VerifiedImage } from '../core/image.js';
import { message } from '../core/messages.js';
import type { Task } from '../core/tasks.js';
import { boundaryOf, readMultipart } from '../http/multipart.js';
import { fail, ok, RedfishError, type Route } from '../http/router.js';
import { accepted } from './common.js';
import { collection, ref, status, T } from './shapes.js';

/** How a persona's UpdateService behaves. */
export interface UpdateConfig {
  /** `MultipartHttpPushUri`, e.g. `/redfish/v1/UpdateService/update-multipart`. */
  multipartPath: string;
  transferProtocols: string[];
  /** Show staged images as `<id>_pending` inventory entries (NVIDIA BMC style). */
  pendingEntries: boolean;
  /** Expands a `Targets` URI into component ids; undefined when the URI is not a valid target. */
  expandTarget(device: Device, uri: string): string[] | undefined;
  /** Components a raw image updates when the request names no targets. */
  defaultTargets(device: Device): string[];
  /** Persona hook run when an immediate system image is installed (e.g. BFB install reboots the DPU). */
  onImmediateSystemInstall?(device: Device, ids: string[]): void;
}

const TRUST = 'trustKey';
// Image servers in tests use self-signed certificates; the simulator is not the security boundary being tested.
const pullAgent = new Agent({ connect: { rejectUnauthorized: false }, connections: 8, bodyTimeout: 60_000 });

/** Sets the public key images must be signed with (fleet-wide). */
export function setTrustKey(device: Device, key: KeyObject): void {
  device.extra[TRUST] = key;
}

function inventoryBody(c: FirmwareComponent, pending: boolean): Record<string, unknown> {
  const id = pending ? `${c.id}_pending` : c.id;
  const b: Record<string, unknown> = {
    '@odata.type': T.SoftwareInventory,
    '@odata.id': `/redfish/v1/UpdateService/FirmwareInventory/${id}`,
    Id: id,
    Name: pending ? `${c.name} (staged)` : c.name,
    Version: pending ? c.pending!.version : c.version,
    Updateable: c.updateable,
    Status: status(pending ? 'StandbyOffline' : 'Enabled', 'OK'),
  };
  if (c.manufacturer) b.Manufacturer = c.manufacturer;
  if (c.related?.length) {
    b.RelatedItem = c.related.map(ref);
    b['RelatedItem@odata.count'] = c.related.length;
  }
  return b;
}

export function updateRoutes(cfg: UpdateConfig): Route[] {
  return [
    {
      path: '/redfish/v1/UpdateService',
      get: ({ device }) => {
        const b: Record<string, unknown> = {
          '@odata.type': T.UpdateService,
          '@odata.id': '/redfish/v1/UpdateService',
          Id: 'UpdateService',
          Name: 'Update Service',
          ServiceEnabled: true,
          MultipartHttpPushUri: cfg.multipartPath,
          FirmwareInventory: ref('/redfish/v1/UpdateService/FirmwareInventory'),
          Status: status('Enabled', 'OK'),
          Actions: {
            '#UpdateService.SimpleUpdate': {
              target: '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate',
              'TransferProtocol@Redfish.AllowableValues': cfg.transferProtocols,
            },
          },
        };
        if (device.profile.maxPushBytes !== undefined) b.MaxImageSizeBytes = device.profile.maxPushBytes;
        return ok(b);
      },
    },
    {
      path: '/redfish/v1/UpdateService/FirmwareInventory',
      get: ({ device }) => {
        const ids: string[] = [];
        for (const c of device.firmware.list()) {
          ids.push(`/redfish/v1/UpdateService/FirmwareInventory/${c.id}`);
          if (cfg.pendingEntries && c.pending) ids.push(`/redfish/v1/UpdateService/FirmwareInventory/${c.id}_pending`);
        }
        return ok(collection('/redfish/v1/UpdateService/FirmwareInventory', 'SoftwareInventoryCollection', 'Software Inventory Collection', ids));
      },
    },
    {
      path: '/redfish/v1/UpdateService/FirmwareInventory/{id}',
      get: ({ device, params, path }) => {
        const id = params.id!;
        const c = device.firmware.get(id);
        if (c) return ok(inventoryBody(c, false));
        const base = id.endsWith('_pending') ? device.firmware.get(id.slice(0, -'_pending'.length)) : undefined;
        if (cfg.pendingEntries && base?.pending) return ok(inventoryBody(base, true));
        return fail(404, 'Base.1.22.ResourceMissingAtURI', [path]);
      },
    },
    {
      path: '/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate',
      post: async ({ device, json, path }) => {
        const b = await json();
        const uri = b.ImageURI;
        if (typeof uri !== 'string') return fail(400, 'Base.1.22.ActionParameterMissing', ['UpdateService.SimpleUpdate', 'ImageURI']);
        let proto = typeof b.TransferProtocol === 'string' ? b.TransferProtocol : undefined;
        const m = /^([a-z]+):\/\//i.exec(uri);
        if (!proto && m) proto = m[1]!.toUpperCase();
        if (!proto || !cfg.transferProtocols.includes(proto)) return fail(400, 'Base.1.22.ActionParameterValueNotInList', [String(proto), 'TransferProtocol', 'UpdateService.SimpleUpdate']);
        if (proto !== 'HTTP' && proto !== 'HTTPS') return fail(400, 'Base.1.22.ActionParameterNotSupported', ['TransferProtocol', 'UpdateService.SimpleUpdate']);
        const url = m ? uri : `${proto.toLowerCase()}://${uri}`;
        const targets = resolveTargets(cfg, device, b.Targets);
        const applyTime = applyTimeOf(b);
        const t = device.tasks.create('SimpleUpdate', { uri: path, method: 'POST', body: JSON.stringify(b) });
        void pullAndInstall(cfg, device, t, url, targets, applyTime, typeof b.Username === 'string' ? { user: b.Username, pass: String(b.Password ?? '') } : undefined);
        return accepted(t);
      },
    },
    {
      path: cfg.multipartPath,
      post: async ({ device, req, path }) => {
        const cap = device.profile.maxPushBytes;
        const len = Number(req.headers['content-length'] ?? NaN);
        if (cap !== undefined && len > cap) {
          req.resume();
          return fail(413, 'Base.1.22.PayloadTooLarge', [], { Connection: 'close' });
        }
        const boundary = boundaryOf(req.headers['content-type']);
        if (!boundary) return fail(400, 'Base.1.22.MissingOrMalformedPart');
        let params: Record<string, unknown> = {};
        let paramText = '';
        let verifier: ImageVerifier | undefined;
        let seen = 0;
        const limited = (async function* () {
          for await (const c of req) {
            seen += (c as Buffer).length;
            if (cap !== undefined && seen > cap) throw new RedfishError(413, 'Base.1.22.PayloadTooLarge', [], { Connection: 'close' });
            yield c as Buffer;
          }
        })();
        try {
          await readMultipart(limited, boundary, (h) => {
            if (h.name === 'UpdateFile') {
              verifier = new ImageVerifier();
              return { write: (c) => verifier!.write(c), end: () => undefined };
            }
            return { write: (c) => h.name === 'UpdateParameters' && (paramText += c.toString('utf8')), end: () => undefined };
          });
        } catch (e) {
          if (e instanceof RedfishError) throw e;
          return fail(400, 'Base.1.22.MissingOrMalformedPart');
        }
        if (!verifier) return fail(400, 'Base.1.22.MissingOrMalformedPart');
        if (paramText.trim()) {
          try {
            params = JSON.parse(paramText) as Record<string, unknown>;
          } catch {
            return fail(400, 'Base.1.22.MalformedJSON');
          }
        }
        const targets = resolveTargets(cfg, device, params.Targets);
        const t = device.tasks.create('MultipartHttpPushUpdate', { uri: path, method: 'POST', body: paramText });
        const img = verifier.end(device.extra[TRUST] as KeyObject | undefined);
        device.tasks.progress(t, 30, message('Update.1.3.TransferringToComponent', ['UpdateFile', targets.join(',') || 'default']));
        install(cfg, device, t, img, 'UpdateFile', targets, applyTimeOf(params));
        return accepted(t);
      },
    },
  ];
}

function applyTimeOf(b: Record<string, unknown>): 'Immediate' | 'OnReset' {
  const v = b['@Redfish.OperationApplyTime'] ?? (b.OperationApplyTime as unknown);
  return v === 'OnReset' || v === 'OnStartUpdateRequest' ? 'OnReset' : 'Immediate';
}

function resolveTargets(cfg: UpdateConfig, device: Device, targets: unknown): string[] {
  if (targets === undefined) return [];
  if (!Array.isArray(targets)) throw new RedfishError(400, 'Base.1.22.ActionParameterValueError', ['Targets', 'UpdateService.SimpleUpdate']);
  const ids: string[] = [];
  for (const t of targets) {
    const uri = String(t).replace(/^\/?(redfish\/)/, '/$1');
    const exp = cfg.expandTarget(device, uri);
    if (!exp) throw new RedfishError(400, 'Base.1.22.ActionParameterValueNotInList', [String(t), 'Targets', 'UpdateService.SimpleUpdate']);
    ids.push(...exp);
  }
  return ids;
}

async function pullAndInstall(cfg: UpdateConfig, device: Device, t: Task, url: string, targets: string[], applyTime: 'Immediate' | 'OnReset', creds?: { user: string; pass: string }): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? 'image');
  const v = new ImageVerifier();
  try {
    const headers: Record<string, string> = creds ? { authorization: `Basic ${Buffer.from(`${creds.user}:${creds.pass}`).toString('base64')}` } : {};
    const res = await request(url, { dispatcher: pullAgent, headers });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const total = Number(res.headers['content-length'] ?? 0);
    let got = 0;
    for await (const chunk of res.body) {
      if (t.state !== 'Running') {
        res.body.destroy();
        return;
      }
      v.write(chunk as Buffer);
      got += (chunk as Buffer).length;
      if (total) device.tasks.progress(t, (got / total) * 40);
    }
  } catch (e) {
    device.tasks.fail(t, message('Update.1.3.TransferFailed', [name, targets.join(',') || 'default'], 'Critical', `Check the image URI: ${(e as Error).message}`));
    return;
  }
  device.tasks.progress(t, 40, message('Update.1.3.TransferringToComponent', [name, targets.join(',') || 'default']));
  install(cfg, device, t, v.end(device.extra[TRUST] as KeyObject | undefined), name, targets, applyTime);
}

/** Checks the image, "writes flash" on the virtual clock, then activates or stages it. */
export function install(cfg: UpdateConfig, device: Device, t: Task, img: VerifiedImage, name: string, targets: string[], applyTime: 'Immediate' | 'OnReset'): void {
  const bad = (why: string) => device.tasks.fail(t, message('Update.1.3.VerificationFailed', [name, targets.join(',') || 'default'], 'Critical', why));
  if (img.error) return bad(img.error);
  if (device.profile.requireSignature && !img.signed) return bad(img.manifest?.signature ? 'image signature invalid' : 'image is not signed');
  let plan: { id: string; version: string }[];
  if (img.manifest) {
    plan = img.manifest.components;
    if (targets.length && plan.some((c) => !targets.includes(c.id))) return bad(`image carries ${plan.map((c) => c.id).join(',')}, not the requested targets`);
  } else {
    const ids = targets.length ? targets : cfg.defaultTargets(device);
    const ver = /(\d+\.\d+(?:[.\-_]\d+)*)/.exec(name)?.[1] ?? `sha-${img.sha256.slice(0, 8)}`;
    plan = ids.map((id) => ({ id, version: ver }));
  }
  for (const p of plan) {
    const c = device.firmware.get(p.id);
    if (!c) return bad(`no component ${p.id}`);
    if (!c.updateable) return bad(`${p.id} is not updateable`);
  }
  const flashMs = plan.reduce((s, p) => s + (device.firmware.get(p.id)!.flashMs ?? 60_000), 0);
  const steps = 10;
  const base = t.percent;
  let i = 0;
  const tick = () => {
    if (t.state !== 'Running') return;
    i++;
    device.tasks.progress(t, base + ((100 - base) * i) / (steps + 1), i === 1 ? message('Update.1.3.InstallingOnComponent', [name, plan.map((p) => p.id).join(',')]) : undefined);
    if (i < steps) return void device.clock.setTimeout(tick, flashMs / steps);
    finish();
  };
  const finish = () => {
    let bmc = false;
    const systemNow: string[] = [];
    for (const p of plan) {
      const c = device.firmware.get(p.id)!;
      if (c.activation === 'immediate') device.firmware.activateNow(p.id, p.version, img.sha256);
      else {
        device.firmware.stage(p.id, p.version, img.sha256);
        t.messages.push(message('Update.1.3.AwaitToActivate', [name, p.id]));
        if (c.activation === 'bmc-reboot') bmc = true;
        if (c.activation === 'system-reset' && applyTime === 'Immediate') systemNow.push(p.id);
      }
    }
    device.tasks.complete(t, message('Update.1.3.UpdateSuccessful', [plan.map((p) => p.id).join(','), name]));
    if (bmc && device.profile.bmcRebootAfterUpdate) device.clock.setTimeout(() => device.rebootBmc(device.profile.bmcBootMs, 'firmware update'), 2000);
    if (systemNow.length) {
      if (cfg.onImmediateSystemInstall) cfg.onImmediateSystemInstall(device, systemNow);
      else if (device.power === 'On') device.restart();
    }
  };
  device.clock.setTimeout(tick, flashMs / steps);
}
