export { type ExtractOptions, type ExtractResult, extractTar } from './extract.js';
export {
  createGunzip,
  createParallelGzip,
  defaultGzipConcurrency,
  ParallelGzip,
  type ParallelGzipOptions,
  type ParallelGzipStats,
} from './gzip-parallel.js';
export { assertArchivePath, splitEntryPath } from './paths.js';
export { type TarWriteEntry, USTAR_MAX_SIZE } from './tar-header.js';
export { type ListTarResult, listTar, type TarEntryInfo } from './tar-list.js';
export { createTarWriter, sizeChangedError, type TarWriter } from './tar-write.js';
