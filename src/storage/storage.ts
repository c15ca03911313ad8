/**
 * The storage interface. It knows nothing of HTTP: absence is `undefined` (or `false`), never a
 * status; the API layer maps it to spec errors. Every name and digest it receives has already
 * been validated, so a backend may build paths from them.
 *
 * Blobs are content-addressed and shared by all repositories; a repository sees a blob only
 * through a link, so deleting it from one repository never removes it from another.
 */
export interface Storage {
  /** A short name for messages and the journal: 'memory', 'memfs', 'directory'. */
  readonly kind: string

  // --- blobs (global, content-addressed) ---
  /** Size of a stored blob, or undefined. */
  statBlob(digest: string): Promise<BlobInfo | undefined>
  /** The blob's bytes (inclusive `range` when given, already checked against the size), or undefined. */
  readBlob(digest: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | undefined>

  // --- per-repository blob links ---
  /**
   * Links a stored blob to the repository. False when the blob is not stored (garbage collected
   * since it was found): nothing is linked. A backend that always links may answer nothing.
   */
  linkBlob(repository: string, digest: string): Promise<boolean | void>
  /** Removes the link; true when there was one. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>
  isBlobLinked(repository: string, digest: string): Promise<boolean>

  // --- upload sessions ---
  createUpload(repository: string): Promise<UploadInfo>
  getUpload(id: string): Promise<UploadInfo | undefined>
  /**
   * Appends a chunk stream to the session, all or nothing: when `chunks` throws (a client that
   * aborts), the session keeps its previous size. Returns the new state, or undefined when the
   * session does not exist.
   */
  appendUpload(id: string, chunks: AsyncIterable<Uint8Array>): Promise<UploadInfo | undefined>
  /** The bytes received so far (to recompute a digest other than the one hashed on the fly). */
  readUpload(id: string): Promise<AsyncIterable<Uint8Array> | undefined>
  /**
   * Moves the session's bytes into the blob store under `digest` (the caller has verified it),
   * links the blob to the session's repository and ends the session. `size` is how many bytes
   * the caller verified: when the session holds another number by the time it commits (a chunk
   * arrived meanwhile), nothing is committed and the answer is undefined, so bytes never get a
   * digest they were not checked against. `getUpload` and `readUpload` report a session as it
   * was before any append still in progress.
   */
  commitUpload(id: string, digest: string, size?: number): Promise<BlobInfo | undefined>
  /** Ends the session and drops its bytes; true when it existed. */
  deleteUpload(id: string): Promise<boolean>

  // --- manifests ---
  putManifest(repository: string, manifest: StoredManifest): Promise<void>
  getManifest(repository: string, digest: string): Promise<StoredManifest | undefined>
  /** Removes the manifest and every tag that points to it; true when it existed. */
  deleteManifest(repository: string, digest: string): Promise<boolean>
  /** Manifests of the repository whose `subject` is `subjectDigest`, in push order. */
  listReferrers(repository: string, subjectDigest: string): Promise<StoredManifest[]>

  // --- tags ---
  setTag(repository: string, tag: string, digest: string): Promise<void>
  resolveTag(repository: string, tag: string): Promise<string | undefined>
  /** Removes the tag only; true when it existed. */
  deleteTag(repository: string, tag: string): Promise<boolean>
  /** Tags of the repository in lexical (code point) order, or undefined for an unknown repository. */
  listTags(repository: string): Promise<string[] | undefined>

  // --- repositories ---
  /** Repositories that hold a blob link or a manifest, in lexical order. */
  listRepositories(): Promise<string[]>
  hasRepository(repository: string): Promise<boolean>

  /** Drops everything: blobs, links, manifests, tags and uploads. */
  clear(): Promise<void>

  // --- optional: a backend without them still works; the registry reports what is missing ---
  /**
   * Prepares the backend (a directory is checked and read); called once when the registry
   * starts. Upload sessions left by an earlier process and unused for longer than
   * `uploadTimeoutMs`, or left half-made, may be removed then: no client can still use them.
   */
  open?(settings?: StorageOpenSettings): Promise<void>
  /** Captures the stored content (blobs, links, manifests, tags) for `restore`. */
  snapshot?(): Promise<StorageSnapshot>
  /** Puts back the content captured by `snapshot`; open upload sessions end. */
  restore?(snapshot: StorageSnapshot): Promise<void>
  /** Removes the blobs no repository links; returns what it removed. */
  garbageCollect?(): Promise<GarbageCollection>
}

/** What the registry tells its storage when it opens it. */
export interface StorageOpenSettings {
  /** How long an upload session may go unused before it expires (the registry option). */
  uploadTimeoutMs?: number
}

/** An opaque handle to content captured by `Storage.snapshot()`; only its storage can restore it. */
export interface StorageSnapshot {
  /** The `kind` of the storage that took it. */
  readonly kind: string
}

/** What `garbageCollect()` removed. */
export interface GarbageCollection {
  /** Digests of the removed blobs, in code-point order. */
  blobs: string[]
}

/** A stored blob. */
export interface BlobInfo {
  digest: string
  size: number
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number
  end: number
}

/** An upload session. */
export interface UploadInfo {
  id: string
  repository: string
  /** Bytes received so far. */
  size: number
}

/** A manifest as stored: the exact bytes pushed, and the kind decided at push time. */
export interface StoredManifest {
  digest: string
  /** The stored kind, served as `Content-Type` (never re-derived from the bytes in strict mode). */
  mediaType: string
  bytes: Uint8Array
  /** The `subject.digest` of the body, for the referrers API. */
  subject?: string
  /** The artifact type a referrers listing reports for this manifest. */
  artifactType?: string
  /** The body's top-level annotations, for the referrers API. */
  annotations?: Record<string, string>
}
