/**
 * The seams issue's Adam run, as a user types it: `reglab train --optimizer adam --lr 0.001 --batch-size 32
 * --epochs 5 --train-size 10000` on the real MNIST reaches at least 0.94 test accuracy on the 10,000 test
 * images, starting (as Keras's layers do) from Glorot's init; with the chapter's init given, it trains from that.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reglab } from './spawn.js';

const RUN = ['train', '--optimizer', 'adam', '--lr', '0.001', '--batch-size', '32', '--epochs', '5', '--train-size', '10000', '--json'];

test("the issue's Adam run reaches 0.94 test accuracy, from Glorot's init", { timeout: 180_000 }, () => {
  const r = reglab(...RUN);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { finalTestAcc: number; config: { init: string; optimizer: string } };
  assert.equal(out.config.optimizer, 'adam');
  assert.equal(out.config.init, 'glorot');
  assert.ok(out.finalTestAcc >= 0.94, `test accuracy ${out.finalTestAcc}`);
  const uniform = reglab(...RUN, '--init', 'uniform', '--epochs', '1');
  assert.equal(uniform.code, 0, uniform.stderr);
  assert.equal((JSON.parse(uniform.stdout) as { config: { init: string } }).config.init, 'uniform');
});
