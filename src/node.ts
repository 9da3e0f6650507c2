/** reglab's Node-only pieces (file system): `import { loadDataset } from 'reglab/node'`. */
export { loadDataset, mnistDataDir, idxBytesOf, IDX_FILES } from './data/files.js';
export { writeFileAtomic, removeStaleTemps } from './io/atomic.js';
