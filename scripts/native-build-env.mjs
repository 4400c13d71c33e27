// What the install script (build-native.mjs) and the pack script (prebuild.mjs) share: how to
// run node-gyp offline.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

/**
 * node-gyp's script: npm's own (npm passes its path as npm_config_node_gyp to install scripts),
 * else the dev dependency; null when neither is there.
 */
export function nodeGypScript() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

/**
 * Offline, node-gyp must find Node's headers locally: npm passes npm_config_nodedir when it is
 * configured; otherwise use the headers installed beside this node binary, if there are any
 * (without them node-gyp tries to download them, and fails with no network). Null: leave it be.
 */
export function localNodedir() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : null;
}
