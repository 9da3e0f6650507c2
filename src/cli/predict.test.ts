/** reglab predict as users run it, on PNGs made from real MNIST test digits. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { refBackend } from '../backend/ref.js';
import { sliceSet } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { bigInvertedOffCentre } from '../testing/digits.js';
import { pngDeclaring } from '../testing/fuzz.js';
import { encodePng, greyToRgba } from '../image/png.js';
import { encodeModel } from '../io/model-file.js';
import { Model, mlpSpec } from '../nn/model.js';
import { fit } from '../train/trainer.js';
import { classify, type Prediction } from './predict.js';
import { reglab } from './spawn.js';


const data = loadDataset();
const dir = mkdtempSync(join(tmpdir(), 'reglab-predict-'));
const model = new Model(mlpSpec({ inputSize: 784, hidden: [64], classes: 10 }), { backend: refBackend(), seed: 5 });
fit(model, sliceSet(data.train, 0, 3000), { epochs: 3, batchSize: 10, lr: 0.1 });
const modelPath = join(dir, 'm.reglab');
writeFileSync(modelPath, encodeModel(model));

const digit = (i: number) => data.test.images.subarray(i * 784, (i + 1) * 784);
// Test digits the model reads right with confidence (so a faithful preprocessing must read them right too).
const chosen = [...Array(60).keys()].filter((i) => {
  const p = classify(model, digit(i));
  return p.indexOf(Math.max(...p)) === data.test.labels[i] && Math.max(...p) > 0.9;
}).slice(0, 6);

function rgbToRgba(rgb: Uint8Array, w: number, h: number) {
  const out = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) (out.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p), (out[4 * p + 3] = 255));
  return { width: w, height: h, data: out };
}

test('PNGs of test digits: 28x28 as in MNIST, and large, off-centre, inverted', () => {
  assert.ok(chosen.length >= 4);
  const files: string[] = [];
  const labels: number[] = [];
  for (const i of chosen) {
    const plain = join(dir, `mnist-${i}.png`);
    writeFileSync(plain, encodePng(greyToRgba(digit(i), 28, 28)));
    const big = join(dir, `big-${i}.png`);
    writeFileSync(big, encodePng(rgbToRgba(bigInvertedOffCentre(digit(i), 4, 260, 180, 10 + i, 40), 260, 180)));
    files.push(plain, big);
    labels.push(data.test.labels[i]!, data.test.labels[i]!);
  }
  const r = reglab('predict', '--model', modelPath, '--backend', 'ref', '--json', ...files);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Prediction[];
  assert.deepEqual(out.map((p) => p.digit), labels);
  for (const p of out) {
    assert.equal(p.top3.length, 3);
    assert.ok(p.top3[0]!.p >= p.top3[1]!.p && p.top3[1]!.p >= p.top3[2]!.p);
    assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  }
  // The plain 28x28 PNG gives exactly the model's own probabilities on the test digit (same backend).
  assert.deepEqual(out[0]!.probabilities, classify(model, digit(chosen[0]!)));

  const text = reglab('predict', '--model', modelPath, files[1]!);
  assert.equal(text.code, 0);
  assert.match(text.stdout, new RegExp(`big-${chosen[0]}\\.png  ${labels[1]}   ${labels[1]}: 0\\.\\d{3}  \\d: 0\\.\\d{3}  \\d: 0\\.\\d{3}\\n$`));
});

test('bad input: one line on stderr, exit 2', () => {
  const notPng = join(dir, 'not.png');
  writeFileSync(notPng, 'hello, not a png');
  const blank = join(dir, 'blank.png');
  writeFileSync(blank, encodePng(greyToRgba(new Uint8Array(40 * 40).fill(255), 40, 40)));
  const good = join(dir, 'good.png');
  writeFileSync(good, encodePng(greyToRgba(digit(0), 28, 28)));
  const huge = join(dir, 'huge.png');
  writeFileSync(huge, pngDeclaring(encodePng(greyToRgba(digit(0), 28, 28)), 60000, 60000));
  const cases: [string[], RegExp][] = [
    [['--model', modelPath, notPng], /not\.png: not a readable PNG image/],
    [['--model', modelPath, blank], /no digit found/],
    [['--model', modelPath, good, blank], /blank\.png: no digit found: the image is blank/], // names which image
    [['--model', modelPath, huge], /huge\.png: the image is 60000 x 60000 pixels, more than the 40 megapixels/],
    [['--model', modelPath, join(dir, 'missing.png')], /cannot read/],
    [['--model', notPng, blank], /not\.png/],
    [[blank], /--model FILE is required/],
    [['--model', modelPath], /give one or more PNG images/],
  ];
  for (const [args, msg] of cases) {
    const r = reglab('predict', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
