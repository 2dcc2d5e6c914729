// Runs `prisma generate` offline and only when schema.prisma changed since the last run.
// The Prisma CLI wants its native schema-engine binary even though generation never runs it,
// and would download it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file avoids that.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const schema = readFileSync(path.join(root, 'prisma/schema.prisma'));
const stampFile = path.join(root, 'src/generated/prisma/.schema-hash');
const hash = createHash('sha256').update(schema).digest('hex');

if (!process.argv.includes('--force') && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) process.exit(0);

const result = spawnSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampFile, hash);
