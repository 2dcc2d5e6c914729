// Which of the template's restriction columns (sheets 5 and 6) each TrustOps action fills. An action
// missing here restricts nothing (no_violation, account_warned): it is no column's, and a warning is
// still a measure (as in the `export dsa` aggregates), said in the sheet's contextual column.
import type { RestrictionColumn } from './template';

export const ACTION_RESTRICTION_COLUMN: Readonly<Record<string, RestrictionColumn>> = {
  content_removed: 'Visibility restriction Removal',
  content_disabled: 'Visibility restriction Disable',
  content_demoted: 'Visibility restriction Demoted',
  content_age_restricted: 'Visibility restriction Age restricted',
  content_interaction_restricted: 'Visibility restriction Interaction restricted',
  content_labelled: 'Visibility restriction Labelled',
  // "Restricted" does not say how: the template's "Other", as the statement of reasons says DECISION_VISIBILITY_OTHER.
  content_restricted: 'Visibility restriction Other',
  monetisation_suspended: 'Monetary restriction Suspension',
  monetisation_terminated: 'Monetary restriction Termination',
  service_suspended: 'Provision of the service Suspension',
  service_terminated: 'Provision of the service Termination',
  account_suspended: 'Account restriction Suspension',
  account_banned: 'Account restriction Termination',
};

/** Complaint types of the internal complaint-handling system, each with the template's indicator. */
export const COMPLAINT_TYPES = {
  visibility: 'Complaint regarding a decision to remove or disable access to or restrict visibility of information',
  provision: 'Complaint regarding a decision to suspend or terminate the provision of the service',
  account: 'Complaint regarding a decision to suspend or terminate an account',
  monetary: 'Complaint regarding a decision to restrict the ability to monetise information',
  no_action_on_notice: 'Complaint regarding a decision not to take action on a notice submitted in accordance with Article 16',
  no_action_on_trusted_flagger_notice: 'Complaint regarding a decision not to take action on a notice submitted by a Trusted Flagger',
} as const;
export type ComplaintType = keyof typeof COMPLAINT_TYPES;
export const COMPLAINT_TYPE_KEYS = Object.keys(COMPLAINT_TYPES) as ComplaintType[];

/** The complaint type an appeal gets when intake did not say: from what the appealed decision did. */
export function complaintTypeOfAction(action: string, trustedFlaggerNotice: boolean): ComplaintType | null {
  if (action === 'no_violation') return trustedFlaggerNotice ? 'no_action_on_trusted_flagger_notice' : 'no_action_on_notice';
  const column = ACTION_RESTRICTION_COLUMN[action];
  if (!column) return null;
  if (column.startsWith('Visibility')) return 'visibility';
  if (column.startsWith('Monetary')) return 'monetary';
  if (column.startsWith('Provision')) return 'provision';
  return 'account';
}

/** Why a repeat offender's account was suspended (Art. 23 DSA). */
export const SUSPENSION_REASONS = [
  'manifestly_illegal_content',
  'manifestly_unfounded_notices',
  'manifestly_unfounded_complaints',
] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];
export const SUSPENSION_INDICATORS: Readonly<Record<SuspensionReason, string>> = {
  manifestly_illegal_content: 'Number of suspensions enacted for the provision of manifestly illegal content',
  manifestly_unfounded_notices: 'Number of suspensions enacted for the submission of manifestly unfounded notices',
  manifestly_unfounded_complaints: 'Number of suspensions enacted for the submission of manifestly unfounded complaints',
};
/** Actions that suspend or end an account or the service: the only ones a suspension reason may go with. */
export const SUSPENDING_ACTIONS = ['account_suspended', 'account_banned', 'service_suspended', 'service_terminated'] as const;
/** The copyright policy: a ban under it is a repeat-infringer ban, a suspension for manifestly illegal content. */
export const COPYRIGHT_POLICY = 'ip_infringement';
