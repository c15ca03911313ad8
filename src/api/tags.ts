import type { RouteHandler } from '../core/context.js'
import { OciError } from '../errors/oci-error.js'

export const listTags: RouteHandler = () => { throw new OciError('UNSUPPORTED', 'not implemented yet') }
