/**
 * `$select` (DSP0266 §7.3, "The $select query parameter"): narrows a resource to the requested properties.
 */

/**
 * DSP0266 requires these in a `$select` response with their unselected values. They are kept at every object level,
 * so embedded objects and expanded links stay identifiable.
 */
const ALWAYS_KEPT: ReadonlySet<string> = new Set(['@odata.id', '@odata.type', '@odata.context', '@odata.etag']);

/** A collection response must still carry its member list and count (DSP0266 "Resource collection requests"). */
const COLLECTION_KEPT: ReadonlySet<string> = new Set(['Members', 'Members@odata.count', 'Members@odata.nextLink']);

interface SelectNode {
  /** The path ends here: keep the whole value. */
  whole: boolean;
  children: Map<string, SelectNode>;
}

/**
 * Returns a deep copy of `resource` holding only the selected properties plus `@odata.id`, `@odata.type`,
 * `@odata.context` and `@odata.etag` (DSP0266 keeps no others, `Id` included). Paths are `/`-split as
 * {@link QueryOptions.select} holds them; a path that does not exist in the resource selects nothing.
 *
 * On a collection (an object with a `Members` array) the collection always keeps `Members`, `Members@odata.count`
 * and `Members@odata.nextLink`, and the selection applies to each member, which matters once `$expand` has inlined
 * them. A path that names `Members` itself (`Members`, `Members/Name`) says instead what to keep of the members.
 *
 * Arrays are transparent: `Temperatures/ReadingCelsius` narrows each object in `Temperatures` and leaves its
 * non-object elements as they are.
 */
export function applySelect<T extends object>(resource: T, select: string[][]): Partial<T> {
  const root = buildTree(select);
  const source = resource as Record<string, unknown>;
  const members = source.Members;
  if (!Array.isArray(members)) return pick(source, root) as Partial<T>;

  const out = pick(source, root, COLLECTION_KEPT);
  const named = root.children.get('Members');
  if (!named) out.Members = narrowEach(members, root);
  else if (!named.whole) out.Members = narrowEach(members, named);
  return out as Partial<T>;
}

function buildTree(select: string[][]): SelectNode {
  const root: SelectNode = { whole: false, children: new Map() };
  for (const path of select) {
    let node = root;
    for (const segment of path) {
      if (node.whole) break;
      let child = node.children.get(segment);
      if (!child) {
        child = { whole: false, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    // A shorter path wins over a longer one through it: Status beats Status/Health.
    node.whole = true;
    node.children.clear();
  }
  return root;
}

function pick(
  source: Record<string, unknown>,
  node: SelectNode,
  alsoKeep: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  // Entries rather than assignment, so a JSON key named "__proto__" stays a plain property.
  const kept: [string, unknown][] = [];
  for (const [key, value] of Object.entries(source)) {
    const child = node.children.get(key);
    if (ALWAYS_KEPT.has(key) || alsoKeep.has(key) || child?.whole) {
      kept.push([key, structuredClone(value)]);
      continue;
    }
    if (!child) continue;
    const narrowed = narrow(value, child);
    if (narrowed !== undefined) kept.push([key, narrowed]);
  }
  return Object.fromEntries(kept);
}

function narrowEach(values: unknown[], node: SelectNode): unknown[] {
  return values.map((el) => (isRecord(el) ? pick(el, node) : structuredClone(el)));
}

function narrow(value: unknown, node: SelectNode): unknown {
  if (Array.isArray(value)) return narrowEach(value, node);
  if (!isRecord(value)) return undefined;
  const picked = pick(value, node);
  // An object left with only its identity annotations matched nothing the client asked for.
  return Object.keys(picked).some((key) => !ALWAYS_KEPT.has(key)) ? picked : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
