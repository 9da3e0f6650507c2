/**
 * The page's side of the training worker: typed requests (start, pause, resume, stop, pace) and the replies
 * that answer a question (the test set's predictions, test images) as promises.
 */
import type { ModelSpec } from '../nn/model.js';
import type { LabConfig } from './config.js';
import type { FromWorker, ToWorker } from './protocol.js';

type Reply = Extract<FromWorker, { id: number }>;
/** The worker's messages that are not replies: progress, weights, snapshots, done, errors... */
export type WorkerEvent = Exclude<FromWorker, Reply>;

export class TrainingClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (m: Reply) => void>();

  constructor(
    url: URL,
    onEvent: (m: WorkerEvent) => void,
    onFailure: (message: string) => void,
  ) {
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if ('id' in m) {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      } else onEvent(m);
    };
    this.worker.onerror = (e) => onFailure(`the training worker failed: ${e.message}`);
  }

  private send(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  start(runId: number, config: LabConfig): void {
    this.send({ type: 'start', runId, config });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  stop(): void {
    this.send({ type: 'stop' });
  }
  /** At most one epoch per msPerEpoch (0: full speed); never changes the numbers. */
  pace(msPerEpoch: number): void {
    this.send({ type: 'pace', msPerEpoch });
  }

  /** The predicted class of each of the first testSize test images, and their labels. */
  predictTest(spec: ModelSpec, weights: Float32Array, testSize: number): Promise<{ predicted: Uint8Array; labels: Uint8Array }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => m.type === 'test-predictions' && resolve(m));
      this.send({ type: 'predict-test', id, spec, weights: Float32Array.from(weights), testSize });
    });
  }

  testImages(indices: number[]): Promise<{ images: Uint8Array; height: number; width: number }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (m) => m.type === 'test-images' && resolve(m));
      this.send({ type: 'test-images', id, indices });
    });
  }
}
