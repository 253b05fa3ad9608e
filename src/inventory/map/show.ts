/** A short rendering of a device value for notes: JSON, cut to `max` characters, and never throwing. */
export function show(v: unknown, max = 120): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // A cycle or a BigInt: the value is not JSON, which is itself worth saying.
    s = `(not JSON: ${Object.prototype.toString.call(v)})`;
  }
  s ??= String(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
