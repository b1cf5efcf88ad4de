/**
 * Imports one module and exits: what a cold isolate pays before a handler
 * runs. Used by `deno task bench`. Usage: load_probe.ts [module-path]
 */
if (Deno.args[0]) await import(`file://${Deno.args[0]}`);
