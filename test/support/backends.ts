// Every storage backend, for suites that run the same behaviour on each of them.
import { Volume } from 'memfs'
import { directoryStorage, memoryStorage, type Storage } from '../../src/index.js'
import { memfsStorage } from '../../src/memfs.js'

/** Each backend by name, with a maker of a fresh, empty storage; the directory one lives in `dir`. */
export const BACKENDS: Array<[string, (dir: string) => Storage]> = [
  ['memory', () => memoryStorage()],
  ['memfs', () => memfsStorage(new Volume())],
  ['directory', (dir) => directoryStorage(dir)],
]
