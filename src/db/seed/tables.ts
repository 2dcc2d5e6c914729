// Column layouts of the bulk-written tables, parents before children (the flush order).
import { type BulkWriter, tableSpec, ts } from './bulk';

const time = <N extends string>(name: N) => [name, 'float8', ts(name)] as const;

export const TABLE_SPECS = {
  cases: tableSpec({
    table: 'cases',
    columns: [
      ['id', 'int4'],
      ['queue_id', 'int4'],
      ['sla_policy_id', 'int4'],
      ['priority', 'text'],
      ['status', 'text', 'u.status::"CaseStatus"'],
      ['content_ref', 'text'],
      time('opened_at'),
      time('first_action_due_at'),
      time('resolution_due_at'),
      time('first_action_at'),
      time('resolved_at'),
      time('closed_at'),
      ['first_action_state', 'text'],
      ['resolution_state', 'text'],
      time('updated_at'),
    ],
  }),
  reports: tableSpec({
    table: 'reports',
    columns: [
      ['id', 'int4'],
      ['surface_id', 'int4'],
      ['report_type_id', 'int4'],
      ['category', 'text'],
      ['content_ref', 'text'],
      ['reporter_contact', 'text'],
      ['jurisdiction', 'text'],
      ['language', 'text'],
      ['details', 'text', 'u.details::jsonb'],
      ['own_initiative', 'bool'],
      ['trusted_flagger', 'bool'],
      time('received_at'),
      ['case_id', 'int4'],
    ],
    // Derived on the server: cheaper than shipping them, and stable for a given id.
    derived: [
      ['external_id', `'demo-report-' || u.id`],
      ['body_hash', `encode(sha256(convert_to(u.id || '|' || u.content_ref, 'UTF8')), 'hex')`],
      ['created_at', ts('received_at')],
    ],
  }),
  decisions: tableSpec({
    table: 'decisions',
    columns: [
      ['id', 'int4'],
      ['case_id', 'int4'],
      ['action', 'text'],
      ['policy', 'text'],
      ['actor_type', 'text', 'u.actor_type::"ActorType"'],
      ['actor_id', 'text'],
      ['automated', 'bool'],
      time('decided_at'),
    ],
    derived: [['created_at', ts('decided_at')]],
  }),
  qaReviews: tableSpec({
    table: 'qa_reviews',
    columns: [
      ['id', 'int4'],
      ['decision_id', 'int4'],
      ['outcome', 'text', 'u.outcome::"QaOutcome"'],
      ['correct_action', 'text'],
      ['correct_policy', 'text'],
      ['error_severity', 'text'],
      ['error_category', 'text'],
      ['reviewer_id', 'text'],
      time('reviewed_at'),
    ],
  }),
  appeals: tableSpec({
    table: 'appeals',
    columns: [
      ['id', 'int4'],
      ['decision_id', 'int4'],
      ['outcome', 'text', 'u.outcome::"AppealOutcome"'],
      time('filed_at'),
      time('resolved_at'),
    ],
  }),
  escalations: tableSpec({
    table: 'escalations',
    columns: [
      ['id', 'int4'],
      ['case_id', 'int4'],
      ['source', 'text', 'u.source::"EscalationSource"'],
      ['severity', 'text'],
      ['reason', 'text'],
      ['requested_by', 'text'],
      ['required_approvals', 'int4'],
      ['status', 'text', 'u.status::"EscalationStatus"'],
      time('deadline_at'),
      time('decided_at'),
      ['decided_by', 'text'],
      ['outcome_reason', 'text'],
      time('created_at'),
    ],
  }),
  escalationVotes: tableSpec({
    table: 'escalation_votes',
    columns: [['id', 'int4'], ['escalation_id', 'int4'], ['user_id', 'text'], ['vote', 'text'], ['reason', 'text'], time('created_at')],
  }),
  notices: tableSpec({
    table: 'copyright_notices',
    columns: [
      ['id', 'int4'],
      ['claimant', 'text'],
      ['claimant_contact', 'text'],
      ['work', 'text'],
      // unnest flattens 2-D arrays, so list columns travel as one delimited string per row.
      ['material_refs', 'text', `string_to_array(u.material_refs, ' ')`],
      ['elements_present', 'text', `string_to_array(u.elements_present, ',')`],
      ['missing_elements', 'text', `string_to_array(u.missing_elements, ',')`],
      ['detection_source', 'text'],
      ['account_id', 'text'],
      ['sender_kind', 'text', 'u.sender_kind::"SenderKind"'],
      ['item_count', 'int4'],
      ['status', 'text', 'u.status::"NoticeStatus"'],
      ['action_taken', 'text'],
      time('received_at'),
      time('actioned_at'),
    ],
    derived: [
      ['external_id', `'demo-notice-' || u.id`],
      ['sender_name', 'u.claimant'],
      ['sender_email', 'u.claimant_contact'],
    ],
  }),
  counterNotices: tableSpec({
    table: 'counter_notices',
    columns: [
      ['id', 'int4'],
      ['notice_id', 'int4'],
      ['account_id', 'text'],
      time('received_at'),
      time('earliest_restore_at'),
      time('latest_restore_at'),
      ['status', 'text', 'u.status::"CounterNoticeStatus"'],
      ['outcome', 'text', 'u.outcome::"CounterNoticeOutcome"'],
      time('resolved_at'),
    ],
    derived: [
      ['external_id', `'demo-counter-notice-' || u.id`],
      ['restore_time_zone', `'America/New_York'`],
      ['received_on', `(to_timestamp(u.received_at) AT TIME ZONE 'America/New_York')::date`],
      ['earliest_restore_on', `(to_timestamp(u.earliest_restore_at) AT TIME ZONE 'America/New_York')::date`],
      ['latest_restore_on', `(to_timestamp(u.latest_restore_at) AT TIME ZONE 'America/New_York')::date`],
    ],
  }),
  strikes: tableSpec({
    table: 'copyright_strikes',
    columns: [['id', 'int4'], ['account_id', 'text'], ['notice_id', 'int4'], time('created_at')],
  }),
  auditEvents: tableSpec({
    table: 'audit_events',
    columns: [
      ['id', 'int8'],
      ['actor', 'text'],
      ['action', 'text'],
      ['entity_type', 'text'],
      ['entity_id', 'text'],
      ['before', 'text', 'u.before::jsonb'],
      ['after', 'text', 'u.after::jsonb'],
      ['origin', 'text'],
      time('created_at'),
    ],
  }),
};

/** Registers every table with the writer, in flush order. */
export function registerTables(writer: BulkWriter) {
  return {
    cases: writer.table(TABLE_SPECS.cases),
    reports: writer.table(TABLE_SPECS.reports),
    decisions: writer.table(TABLE_SPECS.decisions),
    qaReviews: writer.table(TABLE_SPECS.qaReviews),
    appeals: writer.table(TABLE_SPECS.appeals),
    escalations: writer.table(TABLE_SPECS.escalations),
    escalationVotes: writer.table(TABLE_SPECS.escalationVotes),
    notices: writer.table(TABLE_SPECS.notices),
    counterNotices: writer.table(TABLE_SPECS.counterNotices),
    strikes: writer.table(TABLE_SPECS.strikes),
    auditEvents: writer.table(TABLE_SPECS.auditEvents),
  };
}

export type Tables = ReturnType<typeof registerTables>;
export type TableKey = keyof Tables;
