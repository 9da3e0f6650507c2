"""The same network in numpy, as a yardstick for `reglab train --data DIR --no-shuffle`.

Same architecture (inputs-hidden-classes, ReLU, bias, softmax cross-entropy, mean gradient over the batch),
same initial weights (numpy's legacy generator seeded as reglab's: the first layer's weights w1, then the
second's w2, as 0.2 * random - 0.1, zero biases), same file order (no shuffling), float32 arithmetic. Prints the test accuracy after each epoch.

usage: python3 scripts/numpy_mlp.py DATA_DIR [--train-size N] [--hidden H] [--epochs E] [--lr X] [--batch-size B] [--seed S]
"""
import argparse, gzip, os, struct, sys
import numpy as np


def read_idx(folder, base):
    path = os.path.join(folder, base)
    opener = open
    if not os.path.exists(path):
        path += ".gz"
        opener = gzip.open
    with opener(path, "rb") as f:
        data = f.read()
    ndims = data[3]
    dims = struct.unpack(">" + "I" * ndims, data[4 : 4 + 4 * ndims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(dims)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--train-size", type=int, default=60000)
    p.add_argument("--hidden", type=int, default=100)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    xtr = read_idx(a.data, "train-images-idx3-ubyte")[: a.train_size].reshape(a.train_size, -1)
    ytr = read_idx(a.data, "train-labels-idx1-ubyte")[: a.train_size]
    xte = read_idx(a.data, "t10k-images-idx3-ubyte")
    xte = (xte.reshape(len(xte), -1) / np.float32(255)).astype(np.float32)
    yte = read_idx(a.data, "t10k-labels-idx1-ubyte")
    classes = int(max(ytr.max(), yte.max())) + 1
    np.random.seed(a.seed)
    w1 = (0.2 * np.random.random((xtr.shape[1], a.hidden)) - 0.1).astype(np.float32)
    b1 = np.zeros(a.hidden, np.float32)
    w2 = (0.2 * np.random.random((a.hidden, classes)) - 0.1).astype(np.float32)
    b2 = np.zeros(classes, np.float32)
    lr = np.float32(a.lr)
    for epoch in range(1, a.epochs + 1):
        for s in range(0, a.train_size, a.batch_size):
            x = (xtr[s : s + a.batch_size] / np.float32(255)).astype(np.float32)
            y = ytr[s : s + a.batch_size]
            n = len(x)
            h = np.maximum(x @ w1 + b1, 0)
            z = h @ w2 + b2
            z -= z.max(axis=1, keepdims=True)
            p_ = np.exp(z)
            p_ /= p_.sum(axis=1, keepdims=True)
            p_[np.arange(n), y] -= 1
            dz = p_ / np.float32(n)
            dh = (dz @ w2.T) * (h > 0)
            w2 -= lr * (h.T @ dz)
            b2 -= lr * dz.sum(axis=0)
            w1 -= lr * (x.T @ dh)
            b1 -= lr * dh.sum(axis=0)
        out = np.maximum(xte @ w1 + b1, 0) @ w2 + b2
        print(f"epoch {epoch} test acc {np.mean(out.argmax(axis=1) == yte):.4f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
