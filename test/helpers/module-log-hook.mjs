// Loaded with `node --import`: records every @opentelemetry module the process resolves, so a test
// can tell whether the SDK was loaded at all.
import { register } from 'node:module';

register('./module-log-loader.mjs', import.meta.url, { data: { log: process.env.TRACE_TEST_MODULE_LOG } });
