// Entry of the device-plane worker thread. A worker does not inherit a tsx loader that its parent registered through
// the API (bin/shoal.js), so it registers its own before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./plane-worker.ts');
