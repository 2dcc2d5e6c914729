import { PolicyBook } from '../../sla/policies';
import { catalogErrors, type IntakeContext, routeReport } from '../context';
import { Router } from '../routing';
import { bodyHash, type FieldError, validateIntake } from '../schemas';
import { copyField as text } from './copy-text';

/**
 * One reports-CSV row made ready for the staging table: validated by the JSON API's rules, hashed for
 * idempotency, routed, and given the due times its case would get if it opens one. Pure: it runs in
 * the import's worker thread, so the thread that answers Slack and the API never does this work.
 */

/** The staging table's columns, in the order of a COPY line. */
export const REPORT_STAGE_COLUMNS = [
  'row_no int NOT NULL',
  'line_no int NOT NULL',
  'external_id text NOT NULL',
  'body_hash text NOT NULL',
  'surface_id int NOT NULL',
  'report_type_id int NOT NULL',
  'category text',
  'content_ref text NOT NULL',
  'reporter_contact text',
  'jurisdiction text',
  'language text',
  'description text',
  'details jsonb',
  'own_initiative bool NOT NULL',
  'trusted_flagger bool NOT NULL',
  'received_at timestamptz NOT NULL',
  'items int NOT NULL',
  'queue_id int NOT NULL',
  'sla_policy_id int NOT NULL',
  'priority text NOT NULL',
  'first_action_due_at timestamptz NOT NULL',
  'resolution_due_at timestamptz NOT NULL',
  'first_action_at_risk_at timestamptz NOT NULL',
  'resolution_at_risk_at timestamptz NOT NULL',
] as const;

/** The intake context as a worker receives it: structured clone keeps its data, not its classes. */
export type ContextData = Omit<IntakeContext, 'router' | 'policies'> & { router: object; policies: object };

/**
 * Gives a cloned context its Router and PolicyBook back, so routing and due times run the very code
 * the API runs (the classes hold plain data: rules, policies and frozen calendars).
 */
export function reviveContext(data: ContextData): IntakeContext {
  Object.setPrototypeOf(data.router, Router.prototype);
  Object.setPrototypeOf(data.policies, PolicyBook.prototype);
  return data as unknown as IntakeContext;
}

/** A row's COPY line (ending in a newline), or every field error it has, as the JSON API would list them. */
export function stageReport(
  ctx: IntakeContext,
  row: number,
  line: number,
  body: Record<string, unknown>,
): { copy: string; errors?: undefined } | { errors: FieldError[] } {
  const checked = validateIntake('report', body, ctx.now);
  const unknown = catalogErrors(ctx, body);
  if ('errors' in checked || unknown.length) return { errors: [...('errors' in checked ? checked.errors : []), ...unknown] };
  const input = checked.data;
  const { target, policy, openedAt, due, risk } = routeReport(ctx, input);
  const fields = [
    String(row),
    String(line),
    text(input.external_id),
    bodyHash(body),
    String(ctx.surfaces.get(input.surface)),
    String(ctx.types.get(input.report_type)?.id),
    text(input.category),
    text(input.content_ref),
    text(input.reporter),
    text(input.jurisdiction),
    text(input.language),
    text(input.description),
    input.mcp_server ? text(JSON.stringify({ mcp_server: input.mcp_server })) : '\\N',
    input.own_initiative ? 't' : 'f',
    input.trusted_flagger ? 't' : 'f',
    openedAt.toISOString(),
    String(input.items ?? 1),
    String(target.queueId),
    String(policy.id),
    text(target.priority),
    due.firstActionDueAt.toISOString(),
    due.resolutionDueAt.toISOString(),
    risk.firstActionAtRiskAt.toISOString(),
    risk.resolutionAtRiskAt.toISOString(),
  ];
  return { copy: `${fields.join('\t')}\n` };
}
