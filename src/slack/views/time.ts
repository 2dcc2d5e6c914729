/** A time Slack shows in each reader's own zone; the fallback text is UTC. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const d = new Date(iso);
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(d.getTime() / 1000)}^${format}|${fallback}>`;
}
