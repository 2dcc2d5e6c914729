/** Every action_id, callback_id and block_id the bot uses; listeners and views share these. */
export const ActionId = {
  /** Link buttons: Slack opens the URL and still sends the click, which only needs an ack. */
  triageOpenReview: 'triage_open_review',
  triageOpenContent: 'triage_open_content',
  slaAcknowledge: 'sla_acknowledge',
  slaEscalate: 'sla_escalate',
  slaReassign: 'sla_reassign',
  slaOpenReview: 'sla_open_review',
  escalationOpenReview: 'escalation_open_review',
  escalationApprove: 'escalation_approve',
  escalationReject: 'escalation_reject',
  escalationReassign: 'escalation_reassign',
  escalationRequestInfo: 'escalation_request_info',
  casePage: 'case_page',
  metricsExport: 'metrics_export',
  metricsPost: 'metrics_post',
  metricsPrev: 'metrics_page_prev',
  metricsNext: 'metrics_page_next',
  alertRetry: 'alert_retry',
} as const;

export const LINK_BUTTONS: readonly string[] = [
  ActionId.triageOpenReview,
  ActionId.triageOpenContent,
  ActionId.slaOpenReview,
  ActionId.escalationOpenReview,
];

export const CallbackId = {
  reassignCase: 'reassign_case',
  rejectEscalation: 'reject_escalation',
  reassignEscalation: 'reassign_escalation',
  requestInfo: 'request_escalation_info',
} as const;

export const BlockId = {
  reassignQueue: 'reassign_queue',
  reason: 'reason',
  reassignUser: 'reassign_user',
} as const;

export const COMMAND = '/trustops';
