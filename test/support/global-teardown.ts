import { state } from './global-setup';
import { adminQuery, TEMPLATE_ENV } from './postgres';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  try {
    if (template) await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  } finally {
    await state.trustopsTestServer?.embedded?.stop();
  }
}
