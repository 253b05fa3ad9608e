import { bluefield3 } from './bluefield3/index.js';
import { dmtfMockup } from './dmtf-mockup/index.js';
import { openbmcHost } from './openbmc-host/index.js';
import type { Persona } from './persona.js';

const personas = new Map<string, Persona>([
  [bluefield3.name, bluefield3],
  [openbmcHost.name, openbmcHost],
  [dmtfMockup.name, dmtfMockup],
]);

/** Looks a persona up by name. */
export function getPersona(name: string): Persona {
  const p = personas.get(name);
  if (!p) throw new Error(`unknown persona ${name}; known: ${[...personas.keys()].join(', ')}`);
  return p;
}

/** Adds a persona (used by `ipmi-legacy` and by tests that define their own). */
export function registerPersona(p: Persona): void {
  personas.set(p.name, p);
}

export function personaNames(): string[] {
  return [...personas.keys()];
}
