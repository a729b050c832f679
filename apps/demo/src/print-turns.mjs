// Prints one line per recorded turn of a thread: status, latency, time to first token, tokens and any
// error, as the devserver's viewer shows them (GET /_devserver/merged-threads: Mielto holds these per
// turn, Melodi for the latest turn in its thread metadata).
function duration(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function tokens(t) {
  const parts = [];
  if (t.input !== undefined) parts.push(`${t.input} in`);
  if (t.output !== undefined) parts.push(`${t.output} out`);
  if (t.total !== undefined) parts.push(`${t.total} total`);
  if (t.reasoning !== undefined) parts.push(`${t.reasoning} reasoning`);
  if (t.cached !== undefined) parts.push(`${t.cached} cached`);
  return `tokens ${parts.join(' / ')}`;
}

/** One line per turn, e.g. `turn 2  ok       latency 800 ms · tokens 80 in / 25 out / 105 total`. */
export function turnLines(entry) {
  return entry.turns.map((turn, i) => {
    const facts = turn.facts;
    const status = facts?.status ?? (turn.answered ? 'ok?' : 'unanswered');
    const parts = [];
    if (facts?.latencyMs != null) parts.push(`latency ${duration(facts.latencyMs)}`);
    if (facts?.timeToFirstTokenMs != null) parts.push(`TTFT ${duration(facts.timeToFirstTokenMs)}`);
    if (facts?.tokens) parts.push(tokens(facts.tokens));
    if (facts?.error) parts.push(`${facts.error.name ? `${facts.error.name}: ` : ''}${facts.error.message}`);
    if (parts.length === 0) parts.push('no figures recorded');
    if (facts?.from === 'thread') parts.push("(Melodi's thread metadata)");
    return `  turn ${String(i + 1).padEnd(3)}${status.padEnd(9)}${parts.join(' · ')}`;
  });
}

export async function printTurns(server, threadId) {
  const { threads } = await (await fetch(`${server.url}/_devserver/merged-threads`)).json();
  const entry = threads.find((t) => t.threadId === threadId);
  if (!entry) {
    console.log(`  (no thread "${threadId}" on the devserver)\n`);
    return;
  }
  console.log(`── turns of "${threadId}": ${entry.turns.length}, status ${entry.status} ──`);
  for (const line of turnLines(entry)) console.log(line);
  console.log('');
}
