import { readFile } from 'node:fs/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

type EngineModule = typeof import('@prisma/schema-engine-wasm', { with: { 'resolution-mode': 'import' }});
export type SchemaEngine = Awaited<ReturnType<EngineModule['SchemaEngine']['new']>>;
export type MigrationList = Parameters<SchemaEngine['applyMigrations']>[0]['migrationsList'];

// Node has WebAssembly at run time; its types live in lib.dom, which this project does not load.
type WasmExports = Record<string, unknown>;
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: WasmExports } }>;
};

let enginePromise: Promise<EngineModule> | undefined;

// The package's entry does `import * as wasm from "./x.wasm"`, which Node 20 only allows behind
// --experimental-wasm-modules. We instantiate the module ourselves against its JS glue instead.
function loadEngineModule(): Promise<EngineModule> {
  enginePromise ??= (async () => {
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as EngineModule & {
      __wbg_set_wasm(exports: WasmExports): void;
    };
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': glue,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return enginePromise;
}

/** A schema engine bound to one Postgres database through the pg driver adapter. */
export async function openSchemaEngine(connectionString: string, schemaText: string): Promise<SchemaEngine> {
  const mod = await loadEngineModule();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString }));
  return mod.SchemaEngine.new({ datamodels: [['schema.prisma', schemaText]] }, () => {}, adapter);
}
