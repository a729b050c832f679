// Prints one thread read back from the devserver as a readable transcript.
const ROLE_WIDTH = 10;

function line(role, text) {
  const pad = ' '.repeat(ROLE_WIDTH + 2);
  const [first, ...rest] = String(text).split('\n');
  return [`  ${role.padEnd(ROLE_WIDTH)}${first}`, ...rest.map((l) => `  ${pad}${l}`)].join('\n');
}

export function printTranscript(thread) {
  const backend = thread.backend === 'mielto' ? 'Mielto conversation' : 'Melodi thread';
  const user = thread.user ? ` · user ${thread.user.id}` : '';
  console.log(`── ${backend} ${thread.id} (thread "${thread.externalId ?? thread.title}"${user}) ──`);
  for (const m of thread.messages) {
    if (m.toolCalls?.length) {
      console.log(
        m.toolCalls
          .map((c) =>
            line(
              m.role,
              `→ calls ${c.function?.name ?? c.name}(${c.function?.arguments ?? JSON.stringify(c.args)})`,
            ),
          )
          .join('\n'),
      );
    }
    if (m.json) console.log(line(m.role, JSON.stringify(m.json)));
    else if (m.content) console.log(line(m.role, m.content));
  }
  console.log('');
}
