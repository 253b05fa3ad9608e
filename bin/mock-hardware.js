#!/usr/bin/env node
// Runs the simulator's TypeScript CLI through tsx's loader, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../mock-hardware/src/cli.ts');
