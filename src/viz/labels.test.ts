import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { placeLabels, type Box } from './labels.js';

const bounds: Box = { left: 0, top: 0, right: 600, bottom: 300 };
const apart = (a: Box, b: Box) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;

test('six labels asking for the same spot are stacked, none over another', () => {
  const boxes = placeLabels(Array.from({ length: 6 }, () => ({ x: 40, y: 100, width: 120, height: 16 })), bounds);
  assert.equal(boxes.filter((b) => b).length, 6);
  assert.deepEqual(boxes[0], { left: 0, top: 100, right: 120, bottom: 116 }, 'the first takes its spot (moved inside the plot)');
  for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) assert.ok(apart(boxes[i]!, boxes[j]!), `${i} and ${j}`);
});

test('property: placed labels never overlap and stay inside; a label with no room is left out', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ x: fc.integer({ min: -50, max: 650 }), y: fc.integer({ min: 0, max: 290 }), width: fc.integer({ min: 10, max: 200 }), height: fc.integer({ min: 8, max: 40 }) }), { maxLength: 40 }), (wanted) => {
      const boxes = placeLabels(wanted, bounds).filter((b): b is Box => b !== null);
      for (const b of boxes) assert.ok(b.left >= 0 && b.right <= 600 && b.top >= 0 && b.bottom <= 300);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(apart(boxes[i]!, boxes[j]!));
    }),
  );
});
