/**
 * Compiles the fast backend's kernels (assembly/, AssemblyScript) into dist/backend/wasm/, four variants:
 * plain SIMD or relaxed SIMD (fused multiply-add), each for shared memory (threads) or not (browsers
 * without cross-origin isolation); and the book's float64 module (assembly/book.ts). Run by `npm run build`;
 * the .wasm files are build output, never committed.
 */
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';

const outDir = 'dist/backend/wasm';
mkdirSync(outDir, { recursive: true });

const variants = [
  { name: 'kernels-simd', features: ['simd'], shared: false },
  { name: 'kernels-relaxed', features: ['simd', 'relaxed-simd'], shared: false },
  { name: 'kernels-simd-shared', features: ['simd'], shared: true },
  { name: 'kernels-relaxed-shared', features: ['simd', 'relaxed-simd'], shared: true },
  // The book's float64 network (src/book/fast-net.ts): one thread, plain SIMD (no fused multiply-add, by design).
  { name: 'book-simd', entry: 'assembly/book.ts', features: ['simd'], shared: false },
  // The same over shared memory: a worker thread runs test passes beside the training (src/book/eval-thread.ts).
  { name: 'book-simd-shared', entry: 'assembly/book.ts', features: ['simd'], shared: true },
];

for (const v of variants) {
  const args = [
    v.entry ?? 'assembly/index.ts',
    '--outFile', `${outDir}/${v.name}.wasm`,
    '--runtime', 'stub',
    '-O3', '--noAssert',
    '--importMemory',
    '--initialMemory', '2',
    '--maximumMemory', '65536',
    '--enable', [...v.features, ...(v.shared ? ['threads'] : [])].join(','),
    ...(v.shared ? ['--sharedMemory'] : []),
  ];
  const { error, stderr } = await asc.main(args);
  if (error) {
    process.stderr.write(stderr.toString());
    process.stderr.write(`build-wasm: ${v.name}: ${error.message}\n`);
    process.exit(1);
  }
}
