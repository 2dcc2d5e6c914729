import { validateView } from '../../../src/sandbox/emulator/block-kit';
import {
  CopyrightBlockId,
  CopyrightCallbackId,
  disputeRequestInfoModal,
  readCopyrightSubmission,
  rejectCounterNoticeModal,
  rejectNoticeModal,
  restoreFalsePositiveModal,
  suitFiledModal,
} from '../../../src/slack/views/copyright-modals';

const TODAY = '2027-01-04';
const text = (v: string) => ({ text: { value: v } });

describe('the copyright modals', () => {
  it('are valid Block Kit modals, with hostile ids shown as typed', () => {
    const externalId = '<!channel> & <@UEVIL0001>';
    const notice = { externalId, metadata: { noticeId: 8, channelId: 'C0COPY' } };
    const dispute = { externalId, metadata: { counterNoticeId: 9 } };
    const views = [
      rejectNoticeModal(notice),
      restoreFalsePositiveModal(dispute),
      suitFiledModal(dispute),
      rejectCounterNoticeModal(dispute),
      disputeRequestInfoModal(dispute),
    ];
    for (const v of views) {
      expect(validateView(v, 'modal')).toEqual([]);
      expect(JSON.stringify(v.blocks)).toContain('&lt;!channel&gt; &amp; &lt;@UEVIL0001&gt;');
      expect(JSON.stringify(v.blocks)).not.toContain('<!channel>');
    }
    expect(JSON.parse(views[0]!.private_metadata)).toEqual({ noticeId: 8, channelId: 'C0COPY' });
    expect(views.map((v) => v.callback_id)).toEqual(Object.values(CopyrightCallbackId));
  });

  it('offer the notice-rejection reasons of the issue', () => {
    const v = rejectNoticeModal({ externalId: 'n', metadata: { noticeId: 1 } });
    const select = v.blocks.find((b) => b.block_id === CopyrightBlockId.reason) as unknown as { element: { options: { value: string }[] } };
    expect(select.element.options.map((o) => o.value)).toEqual(['invalid', 'abusive', 'not_copyrightable', 'fair_use', 'other']);
  });
});

describe('reading a copyright modal submission', () => {
  it('takes a rejection reason, and asks for a note when the reason is Other', () => {
    const choice = (value: string) => ({ choice: { selected_option: { value } } });
    expect(readCopyrightSubmission(CopyrightCallbackId.rejectNotice, { [CopyrightBlockId.reason]: choice('fair_use') }, TODAY)).toEqual({
      data: { rejectReason: 'fair_use' },
    });
    expect(readCopyrightSubmission(CopyrightCallbackId.rejectNotice, { [CopyrightBlockId.reason]: choice('other') }, TODAY)).toEqual({
      errors: { [CopyrightBlockId.note]: 'Say why, for the reason "Other".' },
    });
    expect(readCopyrightSubmission(CopyrightCallbackId.rejectNotice, { [CopyrightBlockId.reason]: choice('made_up') }, TODAY)).toEqual({
      errors: { [CopyrightBlockId.reason]: 'Pick a reason.' },
    });
  });

  it('requires a reason for a false-positive restore or a rejection, not blank', () => {
    expect(
      readCopyrightSubmission(CopyrightCallbackId.restoreFalsePositive, { [CopyrightBlockId.reason]: text(' our licence ') }, TODAY),
    ).toEqual({ data: { reason: 'our licence' } });
    expect(readCopyrightSubmission(CopyrightCallbackId.rejectCounterNotice, { [CopyrightBlockId.reason]: text('   ') }, TODAY)).toEqual({
      errors: { [CopyrightBlockId.reason]: 'Give a reason.' },
    });
    expect(readCopyrightSubmission(CopyrightCallbackId.disputeRequestInfo, {}, TODAY)).toEqual({
      errors: { [CopyrightBlockId.reason]: 'Give your question.' },
    });
  });

  it('records a suit with court, case number and a date filed no later than today', () => {
    const values = (filedOn: string | null) => ({
      [CopyrightBlockId.court]: text('S.D.N.Y.'),
      [CopyrightBlockId.caseNumber]: text('1:27-cv-00042'),
      [CopyrightBlockId.filedOn]: { date: { selected_date: filedOn } },
    });
    expect(readCopyrightSubmission(CopyrightCallbackId.suitFiled, values('2027-01-03'), TODAY)).toEqual({
      data: { suit: { court: 'S.D.N.Y.', caseNumber: '1:27-cv-00042', filedOn: '2027-01-03' } },
    });
    expect(readCopyrightSubmission(CopyrightCallbackId.suitFiled, values('2027-01-05'), TODAY)).toEqual({
      errors: { [CopyrightBlockId.filedOn]: 'The date filed cannot be after today (2027-01-04).' },
    });
    expect(
      readCopyrightSubmission(CopyrightCallbackId.suitFiled, { [CopyrightBlockId.filedOn]: { date: { selected_date: null } } }, TODAY),
    ).toEqual({
      errors: {
        [CopyrightBlockId.court]: 'Give the court.',
        [CopyrightBlockId.caseNumber]: 'Give the case number.',
        [CopyrightBlockId.filedOn]: 'Pick the date the action was filed.',
      },
    });
  });
});
