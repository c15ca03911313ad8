/**
 * The few file-system calls the layout storage makes, as a subset of `fs/promises`. Node's
 * `fs/promises` and a memfs volume's `promises` both provide them through a small adapter, so
 * one implementation serves the directory and the memfs backends.
 */
export interface LayoutFs {
  /** Joins path segments with the file system's separator. */
  join(...parts: string[]): string
  /** Creates a directory and its parents; no error when it exists. */
  mkdir(path: string): Promise<void>
  /** The content of a file; fails (ELOOP) when `path` is a symbolic link, never following it. */
  readFile(path: string): Promise<Uint8Array>
  /**
   * Opens a file; fails (ELOOP) when `path` is a symbolic link, never following it. 'r+' opens
   * an existing file for positioned writes, and never creates one.
   */
  open(path: string, flags: 'r' | 'r+' | 'a' | 'wx'): Promise<LayoutFileHandle>
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): Promise<void>
  /** A hard link: `to` names the same file as `from`. Fails with `EEXIST` when `to` exists. */
  link(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  /** Removes a file or a directory tree; no error when it is missing. */
  rm(path: string): Promise<void>
  readdir(path: string): Promise<string[]>
  /** What `path` itself is: a symbolic link is reported as one (`lstat`), never followed. */
  stat(path: string): Promise<LayoutStats>
  /** Makes a rename in `path` durable (fsync of the directory); optional where there is no disk. */
  syncDirectory?(path: string): Promise<void>
}

/** An open file. */
export interface LayoutFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
  /** At `position` when given, else where the last write ended. */
  write(buffer: Uint8Array, offset: number, length: number, position?: number): Promise<{ bytesWritten: number }>
  truncate(length: number): Promise<void>
  sync(): Promise<void>
  stat(): Promise<LayoutStats>
  close(): Promise<void>
}

/**
 * A `LayoutFileHandle` over a handle whose calls already match; `sync` and `stat` come from the
 * adapter, as they differ between file systems.
 */
export function wrapHandle(
  handle: Pick<LayoutFileHandle, 'read' | 'write' | 'truncate' | 'close'>,
  own: Pick<LayoutFileHandle, 'sync' | 'stat'>,
): LayoutFileHandle {
  return {
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    write: (buffer, offset, length, position) => handle.write(buffer, offset, length, position),
    truncate: (length) => handle.truncate(length),
    close: () => handle.close(),
    ...own,
  }
}

/** What the layout storage reads from a stat. */
export interface LayoutStats {
  size: number
  ino: number
  mtimeMs: number
  isFile(): boolean
  isDirectory(): boolean
  isSymbolicLink(): boolean
}

/** The error code of a failed file-system call (`ENOENT`, `EEXIST`…), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
