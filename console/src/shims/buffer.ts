// The walkers (src/images/) read bytes through Node's Buffer API; in the browser, the buffer
// package provides the same API on Uint8Array. esbuild injects this where `Buffer` is used.
export { Buffer } from 'buffer/';
