import type { LayoutFiles } from './layout-files.js'

// The entries of a storage root besides the repositories' layouts. No repository can collide
// with them: its path components never start with '.'.

/** The file that marks a directory as a registry's storage root. */
export const ROOT_MARKER = '.fake-oci-registry'
/** Every blob, content-addressed. */
export const BLOBS = '.blobs'
/** Open upload sessions. */
export const UPLOADS = '.uploads'
/** Files being written, before their rename into place. */
export const TEMP = '.tmp'
/** Snapshots taken by this process. */
export const SNAPSHOTS = '.snapshots'

/** Creates the root's working directories; no error when they exist. */
export async function prepareRoot(files: LayoutFiles, root: string): Promise<void> {
  for (const dir of [BLOBS, UPLOADS, TEMP]) await files.fs.mkdir(files.fs.join(root, dir))
}

/** Removes the content (repositories, blobs, sessions), keeping the marker and the snapshots. */
export async function emptyRoot(files: LayoutFiles, root: string): Promise<void> {
  await files.removeEntries(root, [ROOT_MARKER, SNAPSHOTS])
}
