/**
 * The simulator's SSDP responder for a generated fleet, in its own process (as a real fleet would be), so that a
 * scan in the test process competes with it for neither the event loop nor the CPU in the same way.
 *
 * argv: `<bind address> <device count>`. Prints `{"port":N}` when ready; stops when stdin closes.
 */
import { SsdpResponder } from '../../../mock-hardware/src/discovery/ssdp.js';
import { fleetDevice } from './ssdp-fleet.js';

const [bind = '127.161.0.1', countText = '10000'] = process.argv.slice(2);
const responder = new SsdpResponder({ port: 0, bindAddress: bind });
await responder.open();
for (let i = 0; i < Number(countText); i += 1) await responder.start(fleetDevice(i));
process.stdout.write(`${JSON.stringify({ port: responder.address().port })}\n`);
const stop = (): void => void responder.stop().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.on('SIGTERM', stop);
process.stdin.resume();
