// The layout backend: storage as one OCI image layout per repository on a small file-system
// interface (`LayoutFs`), with node:fs (`directoryStorage`) or a memfs volume (`memfsStorage`)
// underneath. Code outside this folder imports it from here; `memfs.ts` alone is imported
// directly, by the 'fake-oci-registry/memfs' entry, since it loads the optional memfs package.

export { directoryStorage } from './directory.js'
export { LayoutStorage } from './fs-layout.js'
export { errorCode, wrapHandle, type LayoutFileHandle, type LayoutFs, type LayoutStats } from './layout-fs.js'
