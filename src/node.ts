/** reglab's Node-only pieces (file system): `import { loadDataset } from 'reglab/node'`. */
export { loadDataset, mnistDataDir, idxBytesOf, IDX_FILES } from './data/files.js';
export { writeFileAtomic, removeStaleTemps } from './io/atomic.js';
export { writeReport, loadReportAssets } from './report/write.js';
export { decodePng, encodePng, type RgbaImage } from './image/png.js';
export { startLabServer, type LabServer } from './lab/server.js';
export { ProgressCallback, historyTable, type ProgressOptions } from './cli/progress.js';
export { startTrialPool, poolSize, type PoolOptions, type TrialPool } from './sweep/pool-node.js';
export { writeSweepReport } from './report/sweep-write.js';
