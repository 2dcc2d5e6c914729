import { recordAudit } from '../../db/repositories/audit';
import { AppError, badInput, isUniqueViolation } from '../../errors';
import type { Actor, DomainDeps } from '../deps';
import { requireRole } from '../roles/roles';
import { SURFACE_KEY } from '../surfaces/surfaces';
import { invalidateIntakeContext } from './context-cache';

export type ReportType = { key: string; name: string; urgent: boolean };

const ADD_EXAMPLE = '/trustops type add deepfake "Deepfake" urgent';

export async function listReportTypes(deps: Pick<DomainDeps, 'db'>): Promise<ReportType[]> {
  const rows = await deps.db.reportType.findMany({ orderBy: { key: 'asc' } });
  return rows.map((r) => ({ key: r.key, name: r.name, urgent: r.urgent }));
}

/** Report types are data: once added, intake accepts them and routing rules can name them. */
export async function addReportType(
  deps: DomainDeps,
  input: { actor: Actor; key: string; name: string; urgent: boolean },
): Promise<ReportType> {
  await requireRole(deps, input.actor, 'admin', 'add report types');
  const key = input.key.trim();
  const name = input.name.trim();
  if (!SURFACE_KEY.test(key))
    throw badInput(`\`${key}\` is not a valid type key: use 2–40 lower-case letters, digits and \`_\`.`, ADD_EXAMPLE);
  if (name.length === 0 || name.length > 80) throw badInput('The display name must be 1–80 characters.', ADD_EXAMPLE);
  try {
    const type = await deps.db.$transaction(async (tx) => {
      const row = await tx.reportType.create({ data: { key, name, urgent: input.urgent, createdAt: deps.clock.now() } });
      await recordAudit(tx, {
        actor: input.actor.id,
        origin: input.actor.origin,
        action: 'report_type.add',
        entityType: 'report_type',
        entityId: key,
        after: { key, name, urgent: input.urgent },
        at: deps.clock.now(),
      });
      return { key: row.key, name: row.name, urgent: row.urgent };
    });
    invalidateIntakeContext(deps.db);
    return type;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('conflict', `The report type \`${key}\` already exists (see \`/trustops type list\`).`);
    throw err;
  }
}
