// The `fake-oci-registry/msw` entry: the only public module that loads msw.
export { registryHandlers, type HandledRegistry, type RegistryHandlersOptions } from './transports/msw.js'
