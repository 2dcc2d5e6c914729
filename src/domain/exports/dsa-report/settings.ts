// The report's settings that are data (dsa_report_settings): set by admins, audited, read at export.
import { recordAudit } from '../../../db/repositories/audit';
import { badInput } from '../../../errors';
import type { Actor, DomainDeps } from '../../deps';
import { requireRole } from '../../roles/roles';
import type { ReportSettings } from './sheets';

export const REPORT_CONFIG_EXAMPLE = '/trustops dsa report-config service "Claude" ';
export const SETTING_KEYS = {
  service: 'Name of the service (the Service column of every sheet)',
  provider: 'Name of the service provider',
  recipients: 'Average monthly active recipients in the Union (10_AMAR)',
  previous: 'Date of the publication of the latest previous report (YYYY-MM-DD)',
} as const;
export type SettingKey = keyof typeof SETTING_KEYS;
const EXAMPLE = '/trustops dsa report-config provider "Anthropic PBC"';

export async function readReportSettings(deps: Pick<DomainDeps, 'db'>): Promise<ReportSettings> {
  const rows = await deps.db.dsaReportSetting.findMany();
  const get = (key: SettingKey) => rows.find((r) => r.key === key)?.value ?? null;
  const recipients = get('recipients');
  return {
    serviceName: get('service'),
    providerName: get('provider'),
    averageMonthlyRecipients: recipients === null ? null : Number(recipients),
    previousPublicationDate: get('previous'),
  };
}

function validate(key: string, raw: string): { key: SettingKey; value: string } {
  if (!Object.hasOwn(SETTING_KEYS, key))
    throw badInput(
      `\`${key}\` is not a report setting: use ${Object.keys(SETTING_KEYS)
        .map((k) => `\`${k}\``)
        .join(', ')}.`,
      EXAMPLE,
    );
  const value = raw.trim();
  if (!value) throw badInput(`\`${key}\` needs a value.`, EXAMPLE);
  if (value.length > 500) throw badInput(`\`${key}\` may be at most 500 characters.`, EXAMPLE);
  if (key === 'recipients' && !/^\d{1,15}$/.test(value.replaceAll(/[,_ ]/g, '')))
    throw badInput('`recipients` is a whole number, e.g. 45000000.', '/trustops dsa report-config recipients 45000000');
  if (key === 'previous') {
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const date = d ? new Date(`${value}T00:00:00Z`) : null;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
      throw badInput('`previous` is a date, YYYY-MM-DD.', '/trustops dsa report-config previous 2026-02-27');
  }
  return { key: key as SettingKey, value: key === 'recipients' ? value.replaceAll(/[,_ ]/g, '') : value };
}

/** Sets one setting (admins); the change is audited with before and after. */
export async function setReportSetting(
  deps: DomainDeps,
  input: { actor: Actor; key: string; value: string },
): Promise<{ key: SettingKey; value: string }> {
  await requireRole(deps, input.actor, 'admin', 'configure the DSA transparency report');
  const { key, value } = validate(input.key.trim().toLowerCase(), input.value);
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const before = await tx.dsaReportSetting.findUnique({ where: { key } });
    await tx.dsaReportSetting.upsert({
      where: { key },
      create: { key, value, updatedBy: input.actor.id, updatedAt: now },
      update: { value, updatedBy: input.actor.id, updatedAt: now },
    });
    await recordAudit(tx, {
      actor: input.actor.id,
      origin: input.actor.origin,
      action: 'dsa_report_setting.set',
      entityType: 'dsa_report_settings',
      entityId: key,
      before: before ? { value: before.value } : null,
      after: { value },
      at: now,
    });
  });
  return { key, value };
}
