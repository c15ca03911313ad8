import type { RouteHandler } from '../core/context.js'
import { OciError } from '../errors/oci-error.js'

export const getManifest: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const putManifest: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
export const deleteManifest: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
