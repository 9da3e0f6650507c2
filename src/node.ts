/** reglab's Node-only pieces (file system): `import { loadDataset } from 'reglab/node'`. */
export { loadDataset, mnistDataDir, IDX_FILES } from './data/files.js';
export { writeFileAtomic } from './io/atomic.js';
