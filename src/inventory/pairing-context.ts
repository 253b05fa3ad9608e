/**
 * Where each device sits among the others, for the mapper's context: discovery pairs a DPU's BMC with its host (the
 * host's device id and the card's slot), and the mapper needs, for a DPU, the host's card (chassis and functions) and,
 * for a host, each paired DPU's system and card chassis. Both halves are small and cached here; they are recomputed
 * from the stored snapshots when missing (after a restart), never by polling a device.
 */
import { cardLinks, dpuAnchors, type CardLink, type MapContext, type MapResult } from './map/index.js';
import type { SnapshotStore } from './snapshot-store.js';

/** A DPU's place: its host device and the card's slot (component id) in the host's snapshot. */
export interface Placement {
  hostId: string;
  slot: string;
}

/** Where a DPU's documents hang: its DPU system and its card chassis. */
export interface Anchors {
  systemUri: string;
  chassisUri?: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The pairing index and the two caches. `anchorsOf` may need to map a DPU's snapshot to find its anchors, which the
 * owner supplies as `mapForAnchors` so this module does not decide how a device is mapped.
 */
export class PairingContext {
  private readonly placement = new Map<string, Placement>();
  private readonly children = new Map<string, Set<string>>();
  private readonly cards = new Map<string, CardLink[]>();
  private readonly anchors = new Map<string, Anchors | null>();

  constructor(
    private readonly snapshots: SnapshotStore,
    private readonly mapForAnchors: (dpuId: string) => MapResult | undefined,
  ) {}

  /**
   * Records where `id` sits now. Returns the hosts whose context this changed (the old and the new one), or undefined
   * when nothing changed.
   */
  place(id: string, p: Placement | undefined): string[] | undefined {
    const old = this.placement.get(id);
    if (same(old, p)) return undefined;
    if (old) {
      const set = this.children.get(old.hostId);
      set?.delete(id);
      if (set && set.size === 0) this.children.delete(old.hostId);
      this.placement.delete(id);
    }
    if (p) {
      this.placement.set(id, p);
      let set = this.children.get(p.hostId);
      if (!set) this.children.set(p.hostId, (set = new Set()));
      set.add(id);
    }
    return [...new Set([old?.hostId, p?.hostId].filter((h): h is string => h !== undefined))];
  }

  placementOf(id: string): Placement | undefined {
    return this.placement.get(id);
  }

  dpusOf(hostId: string): string[] {
    return [...(this.children.get(hostId) ?? [])];
  }

  /** The context the mapper needs for `id`, besides its freshness. */
  contextOf(id: string): Pick<MapContext, 'host' | 'dpus'> {
    const out: Pick<MapContext, 'host' | 'dpus'> = {};
    const p = this.placement.get(id);
    if (p) {
      const card = this.cardsOf(p.hostId).find((c) => c.slot === p.slot);
      if (card) out.host = { source: p.hostId, slot: p.slot, chassisUri: card.chassisUri, functionUris: card.functionUris };
    }
    const dpus: NonNullable<MapContext['dpus']> = [];
    for (const child of this.dpusOf(id)) {
      const a = this.anchorsOf(child);
      const slot = this.placement.get(child)!.slot;
      if (a?.chassisUri) dpus.push({ source: child, slot, systemUri: a.systemUri, chassisUri: a.chassisUri });
    }
    if (dpus.length) out.dpus = dpus;
    return out;
  }

  /** Notes a host's cards after it was mapped; true when they differ from what its DPUs were mapped against. */
  setCards(hostId: string, links: CardLink[]): boolean {
    const old = this.cards.get(hostId);
    this.cards.set(hostId, links);
    return old !== undefined ? !same(old, links) : links.length > 0;
  }

  /** Notes a DPU's anchors after it was mapped; true when they differ from what its host was mapped against. */
  setAnchors(dpuId: string, result: MapResult): boolean {
    const a = dpuAnchors(result) ?? null;
    const had = this.anchors.has(dpuId);
    const old = this.anchors.get(dpuId);
    this.anchors.set(dpuId, a);
    return had ? !same(old, a) : a !== null;
  }

  /** Forgets a device entirely (it left management). Returns the host it was paired with, if any. */
  forget(id: string): string | undefined {
    const host = this.placement.get(id)?.hostId;
    this.place(id, undefined);
    this.cards.delete(id);
    this.anchors.delete(id);
    return host;
  }

  private cardsOf(hostId: string): CardLink[] {
    let links = this.cards.get(hostId);
    if (!links) {
      const snap = this.snapshots.get(hostId);
      if (!snap) return [];
      links = cardLinks(snap, hostId);
      this.cards.set(hostId, links);
    }
    return links;
  }

  private anchorsOf(dpuId: string): Anchors | undefined {
    if (!this.anchors.has(dpuId)) {
      const r = this.mapForAnchors(dpuId);
      if (!r) return undefined; // not read yet: the DPU's first inventory will bring its host up to date
      this.anchors.set(dpuId, dpuAnchors(r) ?? null);
    }
    return this.anchors.get(dpuId) ?? undefined;
  }
}
