import type { RouteHandler } from '../core/context.js'
import { OciError } from '../errors/oci-error.js'

export const getBlob: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const deleteBlob: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
