import { MemoryResourceStore } from '../../src/inventory/memory-resource-store.js';
import { resourceStoreConformance } from './resource-store.conformance.js';

resourceStoreConformance('memory', () => ({ store: new MemoryResourceStore(), close: () => {} }));
