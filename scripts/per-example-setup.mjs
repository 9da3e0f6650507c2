/**
 * The set-up the per-example timing scripts share: from a build's dist directory (a file URL), the fast
 * backend, the chapter's 1,000 training images and a Trainer maker for 784-100-10 per-example runs (seed 1).
 */
export async function perExampleSetup(dist, epochs) {
  const { createBackend } = await import(`${dist}/backend/create.js`);
  const { loadDataset } = await import(`${dist}/data/files.js`);
  const { sliceSet } = await import(`${dist}/data/dataset.js`);
  const { Model, mlpSpec } = await import(`${dist}/nn/model.js`);
  const { Trainer } = await import(`${dist}/train/trainer.js`);
  const backend = await createBackend('wasm', {});
  const train = sliceSet(loadDataset().train, 0, 1000);
  const spec = mlpSpec({ inputSize: 784, hidden: [100], classes: 10 });
  /** A per-example Trainer of `epochs` epochs with the settings c (lr and the rest) beside batch size 1. */
  const trainer = (c = {}) => new Trainer(new Model(spec, { backend, seed: 1 }), train, { epochs, batchSize: 1, ...c });
  return { backend, train, trainer };
}
