import type { RouteHandler } from '../core/context.js'
import { OciError } from '../errors/oci-error.js'

export const startUpload: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const getUploadStatus: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const patchUpload: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const putUpload: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const cancelUpload: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
