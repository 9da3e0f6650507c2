/**
 * Trial results as text for a queue (BullMQ stores a job's return value as JSON): JSON, except that the numbers
 * JSON cannot hold (NaN, Infinity, -Infinity, -0) are written as {"$num": "NaN"} and read back as themselves,
 * so a result that crossed Redis is bit for bit the one a worker thread hands over. Pure.
 */

const TAG = '$num';

export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { [TAG]: Object.is(v, -0) ? '-0' : String(v) } : v,
  );
}

/** Parses toWire's text; throws a SyntaxError on anything else that is not JSON. */
export function fromWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as Record<string, unknown>)[TAG];
      if (keys.length === 1 && (tag === 'NaN' || tag === 'Infinity' || tag === '-Infinity' || tag === '-0')) return Number(tag);
    }
    return v;
  });
}
