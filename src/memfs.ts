// The 'fake-oci-registry/memfs' entry: kept apart from the main entry so that only projects
// that use it need the optional peer memfs.
export { memfsStorage, type MemfsStorageOptions } from './storage/layout/memfs.js'
