import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Fleet } from './fleet.js';

/**
 * Control API: plain HTTP on its own port, bound to loopback. It is how the CLI's `fault` subcommand and scripts in
 * other languages drive a running fleet.
 *
 *   GET    /devices                    list devices
 *   GET    /devices/:id                device state summary
 *   POST   /devices/:id/faults         inject a fault (JSON body, same shape as the library's Fault)
 *   DELETE /devices/:id/faults         clear network faults, boot holds and BMC hangs
 *   GET    /clock                      { now, scale }
 *   POST   /clock/advance              { "ms": N } jumps virtual time
 *   GET    /ca.pem                     the fleet CA certificate
 */
export async function startControlApi(fleet: Fleet, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((req, res) => {
    void handle(fleet, req).then(
      ({ status, body }) => {
        res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      },
      (e: unknown) => {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: (e as Error).message }));
      },
    );
  });
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(port, host, () => r());
  });
  return server;
}

/** Summary of one device's state for the control API and CLI. */
export function deviceSummary(fleet: Fleet, id: string): Record<string, unknown> {
  const d = fleet.device(id);
  const m = d.model;
  return {
    id: d.id,
    persona: d.persona,
    url: d.url,
    serial: d.serial,
    bmc: m.bmc,
    power: m.power,
    stage: m.oemOverride ?? m.stage?.name ?? 'None',
    health: m.health,
    holds: m.holds,
    netFaults: m.netFaults.map((f) => f.fault),
    firmware: Object.fromEntries(m.firmware.list().map((c) => [c.id, c.pending ? { active: c.version, pending: c.pending.version } : c.version])),
  };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let s = '';
  for await (const c of req) {
    s += String(c);
    if (s.length > 65536) throw new Error('body too large');
  }
  return s ? (JSON.parse(s) as Record<string, unknown>) : {};
}

async function handle(fleet: Fleet, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://control');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  if (parts[0] === 'devices' && parts.length === 1 && method === 'GET') {
    return { status: 200, body: fleet.devices.map((d) => ({ id: d.id, persona: d.persona, url: d.url, serial: d.serial, user: d.credentials.user, hostId: d.hostId, dpuIds: d.dpuIds })) };
  }
  if (parts[0] === 'devices' && parts[1]) {
    if (parts.length === 2 && method === 'GET') return { status: 200, body: deviceSummary(fleet, parts[1]) };
    if (parts[2] === 'faults' && method === 'POST') {
      const f = await body(req);
      fleet.inject(parts[1], f);
      return { status: 200, body: { applied: f.kind, device: parts[1] } };
    }
    if (parts[2] === 'faults' && method === 'DELETE') {
      fleet.clearFaults(parts[1]);
      return { status: 200, body: { cleared: parts[1] } };
    }
  }
  if (parts[0] === 'clock' && parts.length === 1) return { status: 200, body: { now: fleet.clock.iso(), scale: fleet.clock.scale } };
  if (parts[0] === 'clock' && parts[1] === 'advance' && method === 'POST') {
    const b = await body(req);
    const ms = Number(b.ms);
    if (!(ms >= 0)) throw new Error('ms must be a non-negative number');
    fleet.clock.advance(ms);
    return { status: 200, body: { now: fleet.clock.iso() } };
  }
  if (parts[0] === 'ca.pem') return { status: 200, body: fleet.caCert };
  return { status: 404, body: { error: `no route ${method} ${url.pathname}` } };
}
