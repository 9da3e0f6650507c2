/** The fast backend's kernels (AssemblyScript, WebAssembly SIMD). Pointers are byte offsets into memory. */
export { matmulNN, matmulNNScratchBytes, matmulTN, matmulTNScratchBytes, denseSgdStep, denseSgdStepScratchBytes, transpose } from './matmul';
// Exported so that Binaryen keeps them out of line (see rowsum.ts); not called from JavaScript.
export { sum52, sum48, sum36, sum32, sum16, sum12, sum8, sum4 } from './rowsum';
export { addRowVector, sumRows, relu, reluBackward, mul, bytesToFloats, bytesDivided, gatherPixels, pixelTableIsDivision } from './elementwise';
export { sgdStep } from './sgd';
export { adamStep } from './adam';
export { dropoutMask } from './mt19937';
export { perExampleSgd } from './per-example';
export { rowsDecay, rowsSgdStep } from './rows';
export { perExampleSgdReg } from './per-example-reg';
