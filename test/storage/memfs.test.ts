import { Volume } from 'memfs'
import { memfsStorage } from '../../src/memfs.js'
import { describeStorageContract } from './storage-contract.js'

describeStorageContract('memfs', () => memfsStorage(new Volume()))
