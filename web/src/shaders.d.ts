// scripts/build-web.mjs resolves this module: shaders/*.wgsl by file name without .wgsl.
declare module 'tessera:shaders' {
  const sources: Record<string, string>;
  export default sources;
}
