/** The fast backend's kernels (AssemblyScript, WebAssembly SIMD). Pointers are byte offsets into memory. */
export { matmulNN, matmulTN, matmulTNScratchBytes, denseSgdStep, denseSgdStepScratchBytes, transpose, sum32, sum36 } from './matmul';
export { addRowVector, sumRows, relu, reluBackward, mul, bytesToFloats, bytesDivided, gatherPixels, pixelTableIsDivision } from './elementwise';
export { sgdStep } from './sgd';
export { dropoutMask } from './mt19937';
