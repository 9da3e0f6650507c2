/** The fast backend's kernels (AssemblyScript, WebAssembly SIMD). Pointers are byte offsets into memory. */
export { matmulNN, matmulNNScratchBytes, matmulTN, matmulTNScratchBytes, denseSgdStep, denseSgdStepScratchBytes, transpose } from './matmul';
// Exported so that Binaryen keeps them out of line (see rowsum.ts); not called from JavaScript but by tests.
export { sum52, sum48, sum36, sum32, sum16, sum12, sum8, sum4, sumNarrow } from './rowsum';
export { step52, step48, stepNarrow } from './step-rows';
export { addRowVector, sumRows, relu, reluBackward, mul, bytesToFloats, bytesDivided, gatherPixels, pixelTableIsDivision, allFinite } from './elementwise';
export { sgdStep } from './sgd';
export { adamStep } from './adam';
export { dropoutMask } from './mt19937';
export { perExampleSgd } from './per-example';
export { softmaxCrossEntropyRows } from './softmax';
export { nonzeroStarts, nonzeroEntries } from './nonzero-lists';
// The port of src/backend/libm.ts's exp and log (the loss's), exported for its test.
export { exp, log } from './libm';
export { rowsDecay, rowsSgdStep } from './rows';
export { perExampleSgdReg } from './per-example-reg32';
export { perExampleAdam, adamRowsSync } from './per-example-adam';
