// tessera's file formats: re-exports only.
export { writeFileAtomic } from './atomic.js';
export { crc32 } from './crc32.js';
export { parseCsv, readCsv, type CsvOptions, type CsvTable } from './csv.js';
export { readIdx, type IdxArray, type IdxData, type IdxType } from './idx.js';
export { encodeNpy, readNpy, writeNpy, type NpyArray, type NpyData, type NpyDtype } from './npy.js';
export { decodePng, encodePng, writePng, type Image } from './png.js';
export {
  parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors,
  type SafetensorsFile, type SafetensorsInput, type SafetensorsTensor,
} from './safetensors.js';
