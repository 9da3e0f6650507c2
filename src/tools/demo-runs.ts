/**
 * The chapter's three runs on its 1,000 training images, for the README's pictures when no chapter8 report
 * is at hand: the plain net that overfits, the same with early stopping, and with dropout. Node only.
 */
import { refBackend } from '../backend/ref.js';
import { sliceSet } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { Model, mlpSpec } from '../nn/model.js';
import { recordRun, type RunRecord } from '../report/record.js';
import { EarlyStopping } from '../train/early-stopping.js';
import { fit } from '../train/trainer.js';

export function demoRuns(epochs = 60): RunRecord[] {
  const data = loadDataset();
  const train = sliceSet(data.train, 0, 1000);
  const validation = sliceSet(data.train, 59000, 1000);
  const test = sliceSet(data.test, 0, 1000);
  const base = { trainSize: 1000, valSize: 1000, testSize: 1000, hidden: [100], lr: 0.005, batchSize: 1, epochs, seed: 1, loss: 'ce' };
  const variants = [
    { name: 'overfit', description: 'The plain network: train accuracy climbs to 100% while test accuracy peaks early and slides.', dropout: 0, es: false },
    { name: 'early stopping', description: 'The same network, stopped when validation loss has not improved for 5 epochs; its best weights restored.', dropout: 0, es: true },
    { name: 'dropout 0.5', description: 'Half the hidden units switched off at random on every training example.', dropout: 0.5, es: false },
  ];
  return variants.map((v) => {
    const model = new Model(mlpSpec({ inputSize: 784, hidden: base.hidden, classes: 10, dropout: v.dropout }), { backend: refBackend(), seed: base.seed });
    const earlyStopping = v.es ? new EarlyStopping({ patience: 5 }) : undefined;
    const result = fit(model, train, { epochs, batchSize: base.batchSize, lr: base.lr, validation, test, callbacks: earlyStopping ? [earlyStopping] : [] });
    const config = { ...base, dropout: v.dropout, ...(v.es ? { earlyStopping: { monitor: 'valLoss', patience: 5, restoreBestWeights: true } } : {}) };
    return recordRun({ name: v.name, description: v.description, config, model, result, test, ...(earlyStopping ? { earlyStopping } : {}) });
  });
}
