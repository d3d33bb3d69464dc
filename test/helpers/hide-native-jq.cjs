// Preload (`node --require`) that makes Port's native jq engine unresolvable, exactly as on a machine
// where `npm ci` could not build it (no autotools): `require('@port-labs/jq-node-bindings')` throws
// MODULE_NOT_FOUND. Try the whole suite that way:
//   NODE_OPTIONS="--require ./test/helpers/hide-native-jq.cjs" npm test
'use strict';
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@port-labs/jq-node-bindings' || request.startsWith('@port-labs/jq-node-bindings/')) {
    const err = new Error(`Cannot find module '${request}' (hidden by test/helpers/hide-native-jq.cjs)`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
