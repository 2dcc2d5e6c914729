/**
 * The sandbox page's shell and styles. The shell holds no data: page/client.ts fetches the
 * workspace and builds every message with DOM calls (textContent, never innerHTML of message text).
 */
export function pageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TrustOps sandbox</title>
<link rel="stylesheet" href="/sandbox/page.css">
<script src="/sandbox/page.js" defer></script>
</head>
<body>
<header class="topbar">
  <span class="workspace">TrustOps sandbox</span>
  <label class="switcher">Acting as <select id="user-switcher" aria-label="Acting as"></select></label>
  <span class="clock" id="clock" aria-live="polite"></span>
  <span class="clock-controls">
    <button type="button" data-advance="1h">+1h</button>
    <button type="button" data-advance="1d">+1d</button>
    <input id="advance-by" aria-label="Move the clock by" placeholder="e.g. 90m, 4h, 2d" size="12">
    <button type="button" id="advance">Move clock</button>
    <button type="button" id="reset" class="danger">Reset demo</button>
  </span>
</header>
<div class="layout">
  <nav class="sidebar" aria-label="Conversations">
    <h2>Channels</h2><ul id="channel-list"></ul>
    <h2>Direct messages</h2><ul id="dm-list"></ul>
    <h2>Apps</h2><ul id="app-list"></ul>
  </nav>
  <main class="pane" id="main-pane">
    <div class="pane-header"><h1 id="pane-title"></h1><span id="pane-note" class="note"></span></div>
    <div class="messages" id="messages" role="log" aria-label="Messages"></div>
    <form class="composer" id="composer">
      <textarea id="composer-input" rows="2" aria-label="Message" placeholder="Type /trustops help, or a message"></textarea>
      <button type="submit">Send</button>
      <div class="composer-status" id="composer-status" aria-live="polite"></div>
    </form>
  </main>
  <aside class="thread" id="thread-pane" hidden aria-label="Thread">
    <div class="pane-header"><h2>Thread</h2><button type="button" id="thread-close" aria-label="Close thread">×</button></div>
    <div class="messages" id="thread-messages"></div>
    <form class="composer" id="thread-composer">
      <textarea id="thread-input" rows="2" aria-label="Reply" placeholder="Reply…"></textarea>
      <button type="submit">Reply</button>
    </form>
  </aside>
</div>
<div class="overlay" id="modal-layer" hidden></div>
<div class="overlay" id="confirm-layer" hidden></div>
</body>
</html>`;
}

export const PAGE_CSS = `
* { box-sizing: border-box; }
html, body { height: 100%; }
body { display: flex; flex-direction: column; margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d1c1d; background: #fff; }
button { font: inherit; cursor: pointer; }
.topbar { display: flex; gap: 14px; align-items: center; padding: 6px 16px; background: #3f0e40; color: #fff; flex-wrap: wrap; font-size: 14px; }
.topbar .workspace { font-weight: 700; font-size: 17px; }
.topbar select, .topbar input { font: inherit; padding: 2px 6px; }
#user-switcher { max-width: 250px; }
.topbar button { background: #fff2; color: #fff; border: 1px solid #fff6; border-radius: 4px; padding: 2px 8px; }
.topbar button.danger { border-color: #f99; }
.clock { font-variant-numeric: tabular-nums; opacity: .9; }
.clock-controls { display: flex; gap: 6px; align-items: center; margin-left: auto; }
.layout { display: flex; flex: 1; min-height: 0; }
.sidebar { width: 230px; background: #4a154b; color: #ddd; padding: 8px 0; overflow-y: auto; flex: none; }
.sidebar h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; margin: 14px 16px 4px; color: #bbb; }
.sidebar ul { list-style: none; margin: 0; padding: 0; }
.sidebar li button { width: 100%; text-align: left; background: none; border: 0; color: inherit; padding: 3px 16px; display: flex; justify-content: space-between; }
.sidebar li button:hover { background: #350d36; }
.sidebar li button.current { background: #1164a3; color: #fff; }
.sidebar li button.has-unread { font-weight: 700; color: #fff; }
.badge { background: #cd2553; color: #fff; border-radius: 9px; padding: 0 7px; font-size: 12px; font-weight: 700; }
.pane { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.thread { width: 420px; border-left: 1px solid #ddd; display: flex; flex-direction: column; flex: none; }
.thread[hidden] { display: none; }
.pane-header { display: flex; align-items: baseline; gap: 12px; padding: 10px 16px; border-bottom: 1px solid #ddd; }
.pane-header h1, .pane-header h2 { font-size: 18px; margin: 0; }
.pane-header button { margin-left: auto; background: none; border: 0; font-size: 20px; }
.note { color: #616061; font-size: 13px; }
.messages { flex: 1; overflow-y: auto; padding: 8px 16px; }
.message { padding: 6px 8px; border-radius: 6px; margin: 2px 0; }
.message:hover { background: #f8f8f8; }
.message .meta { display: flex; gap: 8px; align-items: baseline; }
.message .author { font-weight: 700; }
.message .app-tag { font-size: 11px; background: #eee; color: #555; border-radius: 3px; padding: 0 4px; }
.message .time, .message .edited { color: #616061; font-size: 12px; }
.message.ephemeral { background: #f4f8ff; border: 1px solid #d6e4ff; }
.only-you { color: #616061; font-size: 12px; display: flex; gap: 8px; }
.only-you button { background: none; border: 0; color: #1264a3; padding: 0; font-size: 12px; }
.body { white-space: pre-wrap; overflow-wrap: anywhere; }
.block { margin: 4px 0; }
.block-header { font-size: 17px; font-weight: 700; margin: 8px 0 4px; }
.section { display: flex; gap: 12px; align-items: flex-start; justify-content: space-between; }
.section .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; margin-top: 4px; }
.context { color: #616061; font-size: 13px; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.context img { width: 16px; height: 16px; }
hr.divider { border: 0; border-top: 1px solid #ddd; margin: 8px 0; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
.btn { border: 1px solid #bbb; background: #fff; border-radius: 4px; padding: 3px 12px; font-weight: 600; }
.btn:hover { background: #f4f4f4; }
.btn.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.btn.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.btn:disabled { opacity: .5; cursor: wait; }
select.el { font: inherit; padding: 2px 4px; }
.image-block figure { margin: 0; }
.image-block img { max-width: 360px; max-height: 240px; border-radius: 4px; border: 1px solid #ddd; }
.image-block figcaption { font-size: 12px; color: #616061; }
code { background: #f6f6f6; border: 1px solid #e1e1e1; border-radius: 3px; padding: 0 3px; color: #e01e5a; font-size: 13px; }
pre { background: #f8f8f8; border: 1px solid #e1e1e1; border-radius: 4px; padding: 8px; white-space: pre-wrap; margin: 4px 0; }
blockquote { border-left: 4px solid #ddd; margin: 4px 0; padding-left: 8px; }
.mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
a { color: #1264a3; }
.files { display: flex; flex-direction: column; gap: 4px; margin-top: 4px; }
.file { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; display: flex; gap: 10px; align-items: center; max-width: 480px; }
.file .kind { font-size: 11px; color: #616061; }
.file-image img { display: block; max-width: 100%; margin-top: 4px; border: 1px solid #ddd; border-radius: 6px; }
.attachment { border-left: 4px solid #ddd; padding-left: 8px; margin: 4px 0; }
.replies-link { background: none; border: 0; color: #1264a3; padding: 0; font-size: 13px; font-weight: 600; }
.composer { display: flex; gap: 8px; padding: 8px 16px 12px; border-top: 1px solid #eee; flex-wrap: wrap; }
.composer textarea { flex: 1; font: inherit; border: 1px solid #bbb; border-radius: 6px; padding: 6px 8px; resize: vertical; }
.composer button { align-self: flex-end; }
.composer-status { width: 100%; color: #616061; font-size: 13px; min-height: 1em; }
.composer-status.error { color: #e01e5a; }
.empty { color: #616061; padding: 24px 0; }
.overlay { position: fixed; inset: 0; background: #0007; display: flex; align-items: center; justify-content: center; z-index: 10; }
.overlay[hidden] { display: none; }
.dialog { background: #fff; border-radius: 8px; width: 540px; max-width: 95vw; max-height: 90vh; display: flex; flex-direction: column; box-shadow: 0 8px 30px #0005; }
.dialog header { display: flex; align-items: center; padding: 14px 20px; border-bottom: 1px solid #ddd; }
.dialog header h2 { margin: 0; font-size: 19px; }
.dialog header button { margin-left: auto; background: none; border: 0; font-size: 22px; }
.dialog .dialog-body { padding: 12px 20px; overflow-y: auto; }
.dialog footer { display: flex; justify-content: flex-end; gap: 8px; padding: 12px 20px; border-top: 1px solid #ddd; }
.input-block { margin: 10px 0; display: flex; flex-direction: column; gap: 4px; }
.input-block label { font-weight: 700; }
.input-block .optional { font-weight: 400; color: #616061; }
.input-block input, .input-block textarea, .input-block select { font: inherit; padding: 6px 8px; border: 1px solid #bbb; border-radius: 4px; }
.input-block.has-error input, .input-block.has-error textarea, .input-block.has-error select { border-color: #e01e5a; }
.field-error { color: #e01e5a; font-size: 13px; }
.hint { color: #616061; font-size: 13px; }
.home { padding: 8px 0; }
`;
