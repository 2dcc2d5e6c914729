/**
 * Checks recorded Web API calls against Slack's published OpenAPI (Swagger 2.0) spec: the method
 * exists and every parameter the spec marks required was sent. The spec stays in
 * ../shared/reference and is never copied into the repo.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedCall } from '../../src/sandbox/emulator';

export const SLACK_OPENAPI_PATH = path.resolve(__dirname, '../../../shared/reference/slack/slack_web_openapi_v2_without_examples.json');

/** Whether the spec can be used; when not, `reason` says why (for a skipped describe). */
export const slackOpenApi: { available: true } | { available: false; reason: string } = existsSync(SLACK_OPENAPI_PATH)
  ? { available: true }
  : { available: false, reason: `Slack's OpenAPI spec is absent (${SLACK_OPENAPI_PATH})` };

/** The spec dates from 2021 and predates files upload v2; the emulator checks these itself. */
export const KNOWN_GAPS: ReadonlySet<string> = new Set(['files.getUploadURLExternal', 'files.completeUploadExternal']);

type Parameter = { name: string; in: string; required?: boolean };
type Spec = { swagger: string; paths: Record<string, Record<string, { parameters?: Parameter[] }>> };

let spec: Spec | undefined;
function loadSpec(): Spec {
  if (!slackOpenApi.available) throw new Error(slackOpenApi.reason);
  spec ??= JSON.parse(readFileSync(SLACK_OPENAPI_PATH, 'utf8')) as Spec;
  return spec;
}

/**
 * Required argument names for a method, or undefined if the spec has no such method. Only
 * form and query parameters count; `token` travels in the Authorization header instead.
 * (The spec lists some methods, e.g. views.*, as GET: the verb does not matter here.)
 */
export function requiredArgs(method: string): string[] | undefined {
  const operations = loadSpec().paths[`/${method}`];
  if (!operations) return undefined;
  const names = new Set<string>();
  for (const op of Object.values(operations)) {
    for (const p of op.parameters ?? []) {
      if (p.required && (p.in === 'formData' || p.in === 'query') && p.name !== 'token') names.add(p.name);
    }
  }
  return [...names];
}

/** One human-readable line per problem; [] when every call matches the spec. */
export function checkCallsAgainstOpenApi(calls: readonly RecordedCall[]): string[] {
  const violations: string[] = [];
  calls.forEach((call, i) => {
    if (KNOWN_GAPS.has(call.method)) return;
    const required = requiredArgs(call.method);
    if (!required) {
      violations.push(`call #${i + 1} ${call.method}: not a method in Slack's OpenAPI spec`);
      return;
    }
    for (const name of required) {
      const value = call.args[name];
      if (value === undefined || value === null || value === '') {
        violations.push(`call #${i + 1} ${call.method}: missing required argument "${name}"`);
      }
    }
  });
  return violations;
}
